package report

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// markdownHTML renders the small Markdown subset that callers' Sections use
// (headings, paragraphs, "-" lists, pipe tables, `code` and **bold**) as
// HTML. It escapes all text first, so it can produce no markup but its
// own; anything else shows as plain text.
func markdownHTML(md string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(md), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
			i++
		case strings.HasPrefix(line, "|"):
			j := i
			for j < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[j]), "|") {
				j++
			}
			mdTable(&b, lines[i:j])
			i = j
		case strings.HasPrefix(line, "#"):
			level := min(len(line)-len(strings.TrimLeft(line, "#"))+3, 6) // under the section's h3
			b.WriteString("<h" + string(rune('0'+level)) + ">" + inline(strings.TrimSpace(strings.TrimLeft(line, "#"))) + "</h" + string(rune('0'+level)) + ">\n")
			i++
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "* "):
			b.WriteString("<ul>\n")
			for ; i < len(lines); i++ {
				l := strings.TrimSpace(lines[i])
				if !strings.HasPrefix(l, "- ") && !strings.HasPrefix(l, "* ") {
					break
				}
				b.WriteString("<li>" + inline(l[2:]) + "</li>\n")
			}
			b.WriteString("</ul>\n")
		default:
			var para []string
			for ; i < len(lines); i++ {
				l := strings.TrimSpace(lines[i])
				if l == "" || strings.HasPrefix(l, "|") || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "* ") {
					break
				}
				para = append(para, inline(l))
			}
			b.WriteString("<p>" + strings.Join(para, "\n") + "</p>\n")
		}
	}
	return template.HTML(b.String()) // all text went through inline
}

var alignRow = regexp.MustCompile(`^\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$`)

func mdTable(b *strings.Builder, rows []string) {
	var aligns []string
	if len(rows) >= 2 && alignRow.MatchString(strings.TrimSpace(rows[1])) {
		for _, a := range splitRow(rows[1]) {
			if strings.HasSuffix(strings.TrimSpace(a), ":") {
				aligns = append(aligns, "num")
			} else {
				aligns = append(aligns, "")
			}
		}
	}
	b.WriteString("<table>\n")
	for i, r := range rows {
		if i == 1 && aligns != nil {
			continue
		}
		tag := "td"
		if i == 0 && aligns != nil {
			tag = "th"
			b.WriteString("<thead>")
		}
		b.WriteString("<tr>")
		for j, c := range splitRow(r) {
			class := ""
			if j < len(aligns) && aligns[j] != "" {
				class = ` class="num"`
			}
			b.WriteString("<" + tag + class + ">" + inline(c) + "</" + tag + ">")
		}
		b.WriteString("</tr>")
		if tag == "th" {
			b.WriteString("</thead>")
		}
		b.WriteString("\n")
	}
	b.WriteString("</table>\n")
}

// splitRow splits a pipe-table row into cells, honouring \| escapes.
func splitRow(r string) []string {
	r = strings.TrimSpace(r)
	r = strings.TrimPrefix(r, "|")
	r = strings.TrimSuffix(r, "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '\\' && i+1 < len(r) && r[i+1] == '|':
			cur.WriteByte('|')
			i++
		case r[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(r[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	boldSpan = regexp.MustCompile(`\*\*([^*]+)\*\*`)
)

// inline escapes text, then turns `code` and **bold** into markup. Entities
// are decoded first: Markdown meant for GitHub writes &lt; for <.
func inline(s string) string {
	s = template.HTMLEscapeString(html.UnescapeString(s))
	s = codeSpan.ReplaceAllString(s, "<code>$1</code>")
	return boldSpan.ReplaceAllString(s, "<b>$1</b>")
}
