package report

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lift-sys/lifttest/internal/gate"
	"github.com/lift-sys/lifttest/internal/results"
	"github.com/lift-sys/lifttest/lifttest/record"
)

func writeFixtureHTML(t *testing.T, suites []SuiteReport) string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, fixtureRun(), suites); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestWriteHTMLSelfContained(t *testing.T) {
	out := writeFixtureHTML(t, fixtureSuites())
	// Anything that would make a browser fetch: scripts, stylesheets,
	// images, frames, CSS imports and url(), and any link leaving the page.
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script`),
		regexp.MustCompile(`(?i)<link`),
		regexp.MustCompile(`(?i)<(img|iframe|object|embed|image|use)\b`),
		regexp.MustCompile(`(?i)\ssrc\s*=`),
		regexp.MustCompile(`(?i)@import`),
		regexp.MustCompile(`(?i)url\(`),
		regexp.MustCompile(`(?i)href\s*=\s*"[^#]`),
	} {
		if loc := re.FindStringIndex(out); loc != nil {
			t.Errorf("report has an external reference or script (%s): …%s…", re, out[max(0, loc[0]-60):min(len(out), loc[1]+60)])
		}
	}
	for _, want := range []string{"<svg", "Stage latency per case", "Pass matrix", "letter_grade", "Regression gate", ">metric</th>", "gate: PASS"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// A prompt, an error, a test's output or a generated source can hold
// anything; none of it may become markup.
func TestWriteHTMLEscapes(t *testing.T) {
	const evil = `<script>alert("x")</script>`
	c := fixtureSuite("nontrivial")[0]
	c.Case = "evil" + evil
	c.Prompt = "Write " + evil
	c.Error = "wrong_answer: " + evil
	c.Source = "def f():\n    return '" + evil + "'\n"
	c.Validation.Tests[5].Actual = evil
	cases := []*record.Result{c}
	sum := results.Summarize("x"+evil, cases, nil)
	g := gate.Evaluate(gate.FromSummary(sum, "baseline "+evil), sum, gate.DefaultThresholds())
	g.Notes = append(g.Notes, evil)
	out := writeFixtureHTML(t, []SuiteReport{{Summary: sum, Cases: cases, Gate: &g}})
	if strings.Contains(strings.ToLower(out), "<script") {
		i := strings.Index(strings.ToLower(out), "<script")
		t.Fatalf("unescaped <script> in the report: …%s…", out[max(0, i-80):min(len(out), i+80)])
	}
	if !strings.Contains(out, "&lt;script&gt;") {
		t.Error("escaped form &lt;script&gt; not found: the text was dropped rather than escaped")
	}
}

// TestWriteHTMLRendersInChromium renders the report in headless Chromium
// and checks that the screenshot is a real picture. CI installs Chromium;
// locally the test skips without it.
func TestWriteHTMLRendersInChromium(t *testing.T) {
	browser := findChromium()
	if browser == "" {
		t.Skip("no chromium: install it (apt-get install chromium) to render the HTML report")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, []byte(writeFixtureHTML(t, fixtureSuites())), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	if err := screenshot(t, browser, page, shot, 1280, 2000); err != nil {
		t.Fatal(err)
	}
	// LIFTTEST_REPORT_SCREENSHOT=docs/report.png (relative to the module
	// root) keeps the picture: that is how the README's screenshot is made.
	if keep := os.Getenv("LIFTTEST_REPORT_SCREENSHOT"); keep != "" {
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsAbs(keep) {
			keep = filepath.Join("..", "..", keep)
		}
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot written to %s", keep)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %v, want 1280x2000", b.Size())
	}
	if n := distinctColors(img, 64); n < 6 {
		t.Errorf("screenshot has %d distinct colours, want at least 6 (text, bars, pass and fail cells): blank page?", n)
	}
}

func findChromium() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// screenshot renders page with headless Chromium, offline and with a
// throw-away profile.
func screenshot(t testing.TB, browser, page, png string, w, h int) error {
	t.Helper()
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--screenshot="+png, "--window-size="+itoa(w)+","+itoa(h),
		"--hide-scrollbars", "file://"+page)
	done := make(chan error, 1)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Logf("chromium output:\n%s", out.String())
			return err
		}
	case <-time.After(90 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Logf("chromium output:\n%s", out.String())
		t.Fatal("chromium did not finish in 90 s")
	}
	if _, err := os.Stat(png); err != nil {
		t.Logf("chromium output:\n%s", out.String())
		return err
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// distinctColors counts distinct colours, up to limit, sampling every
// fourth pixel.
func distinctColors(img image.Image, limit int) int {
	seen := make(map[[3]uint32]bool)
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}
