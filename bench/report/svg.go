package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
)

// palette colours the series of a chart (Okabe and Ito's, which readers
// with colour blindness can tell apart).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#999999", "#000000"}

// colour returns the colour of series i.
func colour(i int) string { return palette[i%len(palette)] }

// svgDoc writes an SVG document. Coordinates are written with one
// decimal, so that the same chart is the same bytes.
type svgDoc struct{ b bytes.Buffer }

// chartWidth is the width of every chart.
const chartWidth = 800

func newSVG(w, h float64) *svgDoc {
	s := &svgDoc{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif" font-size="12">`+"\n", num(w), num(h), num(w), num(h))
	s.rect(0, 0, w, h, "#ffffff")
	return s
}

// num formats a coordinate.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func (s *svgDoc) rect(x, y, w, h float64, fill string) {
	fmt.Fprintf(&s.b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`+"\n", num(x), num(y), num(w), num(h), fill)
}

func (s *svgDoc) line(x1, y1, x2, y2 float64, stroke string, width float64) {
	fmt.Fprintf(&s.b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="%s"/>`+"\n", num(x1), num(y1), num(x2), num(y2), stroke, num(width))
}

func (s *svgDoc) circle(x, y, r float64, fill string) {
	fmt.Fprintf(&s.b, `<circle cx="%s" cy="%s" r="%s" fill="%s"/>`+"\n", num(x), num(y), num(r), fill)
}

func (s *svgDoc) polyline(xs, ys []float64, stroke string) {
	s.b.WriteString(`<polyline fill="none" stroke="` + stroke + `" stroke-width="2" points="`)
	for i := range xs {
		if i > 0 {
			s.b.WriteByte(' ')
		}
		s.b.WriteString(num(xs[i]) + "," + num(ys[i]))
	}
	s.b.WriteString(`"/>` + "\n")
}

// text writes str at (x, y), anchored start, middle or end.
func (s *svgDoc) text(x, y float64, anchor string, size float64, str string) {
	fmt.Fprintf(&s.b, `<text x="%s" y="%s" text-anchor="%s" font-size="%s">`, num(x), num(y), anchor, num(size))
	xml.EscapeText(&s.b, []byte(str))
	s.b.WriteString("</text>\n")
}

func (s *svgDoc) bytes() []byte {
	s.b.WriteString("</svg>\n")
	return s.b.Bytes()
}

// textWidth estimates the width of str in a sans-serif font of size.
func textWidth(str string, size float64) float64 {
	return float64(len([]rune(str))) * size * 0.6
}

// legend writes a key of coloured swatches and names, wrapping before
// maxX, starting at y; it returns the y below it.
func (s *svgDoc) legend(x0, maxX, y float64, names []string) float64 {
	x := x0
	for i, n := range names {
		w := 16 + textWidth(n, 11) + 14
		if x > x0 && x+w > maxX {
			x, y = x0, y+18
		}
		s.rect(x, y-9, 10, 10, colour(i))
		s.text(x+14, y, "start", 11, n)
		x += w
	}
	return y + 18
}

// logTicks returns tick values for a log axis from lo to hi: 1, 2, 5
// times powers of ten over a narrow range, powers of ten over a wide one.
func logTicks(lo, hi float64) []float64 {
	steps := []float64{1, 2, 5}
	if math.Log10(hi/lo) > 2.5 {
		steps = []float64{1}
	}
	var ticks []float64
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range steps {
			v := m * math.Pow(10, e)
			if v >= lo && v <= hi {
				ticks = append(ticks, v)
			}
		}
	}
	return ticks
}

// niceStep returns a step of 1, 2 or 5 times a power of ten near span/n.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

// tickLabel formats a tick value: 0.5, 1, 20, 4000.
func tickLabel(v float64) string {
	return strconv.FormatFloat(v, 'g', 6, 64)
}
