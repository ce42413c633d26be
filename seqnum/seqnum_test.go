package seqnum

import "testing"

func TestLessThanWraps(t *testing.T) {
	cases := []struct {
		v, w Value
		lt   bool
	}{
		{1, 2, true},
		{2, 1, false},
		{5, 5, false},
		{0xffffffff, 0, true},
		{0, 0xffffffff, false},
		{0xfffffff0, 0x10, true},
		{0x7fffffff, 0x80000000, true},
		{0x10, 0xfffffff0, false},
	}
	for _, c := range cases {
		if got := c.v.LessThan(c.w); got != c.lt {
			t.Errorf("%#x.LessThan(%#x) = %v, want %v", c.v, c.w, got, c.lt)
		}
		if got := c.w.GreaterThan(c.v); got != c.lt {
			t.Errorf("%#x.GreaterThan(%#x) = %v, want %v", c.w, c.v, got, c.lt)
		}
		if got := c.v.LessThanEq(c.w); got != (c.lt || c.v == c.w) {
			t.Errorf("%#x.LessThanEq(%#x) = %v", c.v, c.w, got)
		}
		if got := c.w.GreaterThanEq(c.v); got != (c.lt || c.v == c.w) {
			t.Errorf("%#x.GreaterThanEq(%#x) = %v", c.w, c.v, got)
		}
	}
}

func TestInWindow(t *testing.T) {
	cases := []struct {
		v, start Value
		size     Size
		in       bool
	}{
		{10, 10, 1, true},
		{10, 10, 0, false},
		{11, 10, 1, false},
		{9, 10, 100, false},
		{0x5, 0xfffffff0, 0x20, true},
		{0x10, 0xfffffff0, 0x20, false},
		{0xfffffff0, 0xfffffff0, 0x20, true},
	}
	for _, c := range cases {
		if got := c.v.InWindow(c.start, c.size); got != c.in {
			t.Errorf("%#x.InWindow(%#x, %d) = %v, want %v", c.v, c.start, c.size, got, c.in)
		}
		if got := c.v.InRange(c.start, c.start.Add(c.size)); got != c.in {
			t.Errorf("%#x.InRange(%#x, +%d) = %v, want %v", c.v, c.start, c.size, got, c.in)
		}
	}
}

func TestAddSubMaxMin(t *testing.T) {
	v := Value(0xfffffffe)
	w := v.Add(5)
	if w != 3 {
		t.Fatalf("Add wrapped to %#x, want 3", w)
	}
	if d := w.Sub(v); d != 5 {
		t.Fatalf("Sub = %d, want 5", d)
	}
	if Max(v, w) != w || Min(v, w) != v {
		t.Fatalf("Max/Min across wrap: %#x %#x", Max(v, w), Min(v, w))
	}
	if Max(w, v) != w || Min(w, v) != v {
		t.Fatalf("Max/Min swapped args across wrap")
	}
}
