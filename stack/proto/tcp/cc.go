package tcp

import (
	"math"
	"time"

	"sockstack/seqnum"
)

// congestion is the congestion window and slow-start threshold (RFC 5681
// §3.1) with the congestion-avoidance rule of NewReno or CUBIC (RFC 9438).
// Windows are in bytes.
type congestion struct {
	cubic    bool
	mss      int
	cwnd     int
	ssthresh int
	acc      int     // bytes acknowledged toward the next Reno increase
	frac     float64 // fraction of a byte of CUBIC increase carried over

	// CUBIC state (RFC 9438 §4).
	wmax       float64   // W_max, segments
	k          float64   // K, seconds
	epoch      time.Time // t=0 of the current congestion-avoidance epoch
	west       float64   // W_est, segments (RFC 9438 §4.3)
	cwndEpoch  float64   // cwnd at the start of the epoch, segments
	hasEpoch   bool
	lastWmax   float64
	lastUpdate time.Time
}

// CUBIC constants (RFC 9438 §4.1, §4.6).
const (
	cubicBeta = 0.7
	cubicC    = 0.4
)

func (cc *congestion) init(name string, mss int) {
	cc.cubic = name != "reno"
	cc.mss = mss
	cc.cwnd = initialWindow(mss)
	cc.ssthresh = math.MaxInt32 // RFC 5681 §3.1: arbitrarily high
}

// initialWindow is IW (RFC 5681 §3.1 allows up to 4 segments; Linux and
// RFC 6928 use 10).
func initialWindow(mss int) int { return 10 * mss }

// setMSS changes the segment size (after the handshake or a PMTU change).
func (cc *congestion) setMSS(mss int) {
	if cc.cwnd == initialWindow(cc.mss) {
		cc.cwnd = initialWindow(mss)
	}
	cc.mss = mss
}

// onAck grows cwnd for acked bytes of new data (RFC 5681 §3.1), rtt being
// the smoothed round-trip time.
func (cc *congestion) onAck(acked int, now time.Time, rtt time.Duration) {
	if cc.cwnd < cc.ssthresh {
		// RFC 5681 §3.1 (2): slow start, cwnd += min(N, SMSS); RFC 3465
		// §2.2 L=2.
		cc.cwnd += min(acked, 2*cc.mss)
		return
	}
	if cc.cubic {
		cc.cubicAck(acked, now, rtt)
		return
	}
	// RFC 5681 §3.1 (3): congestion avoidance, about one SMSS per RTT.
	cc.acc += acked
	if cc.acc >= cc.cwnd {
		cc.acc -= cc.cwnd
		cc.cwnd += cc.mss
	}
}

// cubicAck is RFC 9438 §4.2-4.4 for one ACK.
func (cc *congestion) cubicAck(acked int, now time.Time, rtt time.Duration) {
	seg := float64(cc.mss)
	w := float64(cc.cwnd) / seg
	if !cc.hasEpoch {
		// RFC 9438 §4.2: the epoch starts with congestion avoidance.
		cc.hasEpoch, cc.epoch, cc.cwndEpoch, cc.west = true, now, w, w
		if cc.wmax < w {
			cc.k, cc.wmax = 0, w
		} else {
			cc.k = math.Cbrt((cc.wmax - w) / cubicC)
		}
	}
	t := now.Sub(cc.epoch).Seconds()
	// RFC 9438 §4.2: W_cubic(t+RTT) = C*(t+RTT-K)^3 + W_max.
	d := t + rtt.Seconds() - cc.k
	target := cubicC*d*d*d + cc.wmax
	target = min(max(target, w), 1.5*w)
	// RFC 9438 §4.3: W_est += alpha_cubic * acked/cwnd, alpha = 3(1-b)/(1+b).
	alpha := 3 * (1 - cubicBeta) / (1 + cubicBeta)
	cc.west += alpha * (float64(acked) / seg) / w
	if cc.west > target {
		target = cc.west
	}
	// RFC 9438 §4.4: cwnd grows by (target - cwnd)/cwnd per segment acked.
	// target <= 1.5*w, so the increase is at most half of acked.
	if inc := (target - w) / w * float64(acked); inc > 0 {
		cc.frac += inc
		whole := int(cc.frac)
		cc.cwnd += whole
		cc.frac -= float64(whole)
	}
}

// onLoss reacts to a loss found by fast retransmit: RFC 5681 §3.2 (2)
// ssthresh = max(FlightSize/2, 2*SMSS) for Reno; RFC 9438 §4.6 multiplies
// by beta_cubic and remembers W_max (with fast convergence, §4.7).
func (cc *congestion) onLoss(flight int) {
	if cc.cubic {
		w := float64(cc.cwnd) / float64(cc.mss)
		if w < cc.lastWmax {
			cc.wmax = w * (1 + cubicBeta) / 2
		} else {
			cc.wmax = w
		}
		cc.lastWmax = w
		cc.ssthresh = max(int(float64(cc.cwnd)*cubicBeta), 2*cc.mss)
	} else {
		cc.ssthresh = max(flight/2, 2*cc.mss)
	}
	cc.hasEpoch = false
	cc.acc, cc.frac = 0, 0
}

// onTimeout is RFC 5681 §3.1 (4): after a retransmission timeout cwnd is
// the loss window, one segment.
func (cc *congestion) onTimeout(flight int) {
	cc.onLoss(flight)
	cc.cwnd = cc.mss
}

// recovery is the NewReno fast-recovery state (RFC 6582 §3.2).
type recovery struct {
	active   bool
	valid    bool         // recover holds a value (RFC 6582 §3.2 step 1)
	recover  seqnum.Value // "recover": the highest sequence number sent at entry
	dupAcks  int
	high     seqnum.Value // end of the last hole retransmitted this pass
	passEnd  seqnum.Value // SND.MAX when this pass resent its last hole
	passDone bool         // passEnd is set
}
