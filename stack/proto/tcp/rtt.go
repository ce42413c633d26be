package tcp

import "time"

// RFC 6298 constants, with Linux's 200 ms floor (RFC 6298 §2.4 says 1 s;
// the floor is a deliberate deviation every major stack makes).
const (
	initialRTO = time.Second // RFC 6298 §2.1
	minRTO     = 200 * time.Millisecond
	maxRTO     = 120 * time.Second // RFC 6298 §2.5 allows a maximum of at least 60 s
	clockG     = time.Millisecond  // G, the timestamp clock granularity
)

// rttEstimator keeps SRTT, RTTVAR and RTO (RFC 6298 §2) and the one segment
// being timed when timestamps are off.
type rttEstimator struct {
	srtt, rttvar, rto time.Duration
	valid             bool // a sample has been taken
	timing            bool // timedSeq is being timed
	timedSeq          uint32
	timedAt           time.Time
}

func (r *rttEstimator) init() { r.rto = initialRTO }

// sample folds a round-trip measurement into the estimate.
func (r *rttEstimator) sample(m time.Duration) {
	m = max(m, time.Microsecond)
	if !r.valid {
		// RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
		r.srtt, r.rttvar, r.valid = m, m/2, true
	} else {
		// RFC 6298 §2.3: RTTVAR <- 3/4 RTTVAR + 1/4 |SRTT - R'|,
		// SRTT <- 7/8 SRTT + 1/8 R'.
		d := r.srtt - m
		if d < 0 {
			d = -d
		}
		r.rttvar = (3*r.rttvar + d) / 4
		r.srtt = (7*r.srtt + m) / 8
	}
	// RFC 6298 §2.3: RTO <- SRTT + max(G, K*RTTVAR), K = 4; §2.4, §2.5:
	// clamped.
	r.rto = min(max(r.srtt+max(clockG, 4*r.rttvar), minRTO), maxRTO)
}

// invalidateSample drops the timed segment: RFC 6298 §3 (Karn's
// algorithm) forbids samples from retransmitted segments.
func (r *rttEstimator) invalidateSample() { r.timing = false }

// backedOff returns the RTO doubled n times (RFC 6298 §5.5), at most maxRTO.
func (r *rttEstimator) backedOff(n int) time.Duration {
	d := r.rto
	for range n {
		d *= 2
		if d >= maxRTO {
			return maxRTO
		}
	}
	return d
}
