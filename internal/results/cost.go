package results

import "github.com/lift-sys/lifttest/lifttest/record"

// Cost is where a set of runs' money went.
type Cost struct {
	Total, Stage1, Stage2 float64
	// ByAttempt is stage 2's cost by attempt number (index 0: attempt 1).
	ByAttempt []float64
	// PerSuccess is Total / successful runs (0 with none); Failed is what
	// the failed runs cost.
	PerSuccess, Failed float64
	// Split is true when a stage's cost was not recorded (an older
	// journal) and was split from the run's cost by latency.
	Split bool
}

// Attribute says where rs's money went: per stage, per stage-2 attempt,
// per successful solution and on failed runs.
func Attribute(rs []*record.Result) Cost {
	var c Cost
	succ := 0
	for _, r := range rs {
		c.Total += r.CostUSD
		s1, s2 := r.Stage1.CostUSD, r.Stage2.CostUSD
		if s1 == 0 && s2 == 0 && r.CostUSD > 0 {
			c.Split = true
			s1 = r.CostUSD
			if r.E2E > 0 {
				s1 = r.CostUSD * float64(r.Stage1.Latency) / float64(r.E2E)
			}
			s2 = r.CostUSD - s1
		}
		c.Stage1 += s1
		c.Stage2 += s2
		if len(r.Tries) > 0 {
			for _, t := range r.Tries {
				for len(c.ByAttempt) < t.Attempt {
					c.ByAttempt = append(c.ByAttempt, 0)
				}
				c.ByAttempt[t.Attempt-1] += t.CostUSD
			}
		} else if n := r.Attempts; n > 0 {
			// No per-attempt record: stage 2 split evenly over its attempts.
			for len(c.ByAttempt) < n {
				c.ByAttempt = append(c.ByAttempt, 0)
			}
			for a := range n {
				c.ByAttempt[a] += s2 / float64(n)
			}
			c.Split = true
		}
		if r.Success {
			succ++
		} else {
			c.Failed += r.CostUSD
		}
	}
	if succ > 0 {
		c.PerSuccess = c.Total / float64(succ)
	}
	return c
}
