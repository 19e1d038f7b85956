package modes

import (
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// plainRecords and plainVolatile are the records without their codecs:
// encoding/json encodes and decodes them by reflection, from the struct
// tags, as it did before the codecs were written.
type (
	plainRecords  records
	plainVolatile volatileRecords
	plainIntent   intent
)

// fill sets v, and everything under it, to random values: every field of
// every struct, so that a field the codecs leave out shows.
func fill(rnd *rand.Rand, v reflect.Value, depth int) {
	strs := []string{"", "net", "eth0.50", "a<b>&c", "é", "line\u2028sep", "ctl\x00\x1f", `q"b\s`, "bad\xffutf8", "/run/netns/blue"}
	switch x := v.Addr().Interface().(type) {
	case *netip.Addr:
		*x = []netip.Addr{{}, netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("fd00::1")}[rnd.IntN(3)]
		return
	case *netip.Prefix:
		*x = []netip.Prefix{{}, netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.1.2.3/24"), netip.MustParsePrefix("fd00::5/64")}[rnd.IntN(4)]
		return
	case *time.Time:
		*x = []time.Time{{}, time.Date(2026, 12, 2, 14, 1, 12, 123456789, time.UTC), time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))}[rnd.IntN(3)]
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[rnd.IntN(len(strs))])
	case reflect.Bool:
		v.SetBool(rnd.IntN(2) == 1)
	case reflect.Uint32, reflect.Uint64, reflect.Int:
		n := []uint64{0, 1, 1500, 1<<32 - 1}[rnd.IntN(4)]
		if v.Kind() == reflect.Uint64 && rnd.IntN(2) == 0 {
			n = 1<<64 - 1
		}
		if v.Kind() == reflect.Int {
			v.SetInt(int64(n))
		} else {
			v.SetUint(n)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(rnd, v.Field(i), depth)
			}
		}
	case reflect.Pointer:
		if depth > 2 || rnd.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(rnd, v.Elem(), depth+1)
	case reflect.Slice:
		if depth > 2 || rnd.IntN(4) == 0 {
			v.SetZero() // nil
			return
		}
		n := rnd.IntN(3)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(rnd, v.Index(i), depth+1)
		}
	case reflect.Map:
		if rnd.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range rnd.IntN(3) {
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			fill(rnd, k, depth+1)
			fill(rnd, e, depth+1)
			v.SetMapIndex(k, e)
		}
	default:
		panic("fill: no case for " + v.Type().String())
	}
}

// TestRecordsJSON checks the hand-written codecs against encoding/json's
// reflection on 2000 generated documents of each kind: the same bytes
// written (by the MarshalJSON methods alone, as the state store and
// intend call them), and the same values read back from them.
func TestRecordsJSON(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		var r records
		fill(rnd, reflect.ValueOf(&r).Elem(), 0)
		checkCodec(t, i, &r, (*plainRecords)(&r), func() (any, any) { return new(records), new(plainRecords) })
		var v volatileRecords
		fill(rnd, reflect.ValueOf(&v).Elem(), 0)
		checkCodec(t, i, &v, (*plainVolatile)(&v), func() (any, any) { return new(volatileRecords), new(plainVolatile) })
		var in intent
		fill(rnd, reflect.ValueOf(&in).Elem(), 0)
		got, err := in.MarshalJSON() // as intend calls it
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := json.Marshal(plainIntent(in)); string(got) != string(want) {
			t.Fatalf("#%d: the intent codec writes\n%s\nencoding/json\n%s", i, got, want)
		}
		if t.Failed() {
			return
		}
	}
}

// cmpRecords compares records' values: addresses and prefixes as values,
// times with Equal.
var cmpRecords = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

// checkCodec compares the encodings of v (the codec) and plain
// (reflection), then what each reads back from them.
func checkCodec(t *testing.T, i int, v, plain any, empty func() (any, any)) {
	t.Helper()
	// Called directly, as the state store calls it: its bytes must need
	// no pass through encoding/json's compaction and escaping.
	got, err := v.(json.Marshaler).MarshalJSON()
	if err != nil {
		t.Fatalf("#%d: codec: %v", i, err)
	}
	want, err := json.Marshal(plain)
	if err != nil {
		t.Fatalf("#%d: reflection: %v", i, err)
	}
	if string(got) != string(want) {
		t.Fatalf("#%d: the codec writes\n%s\nencoding/json\n%s", i, got, want)
	}
	mine, theirs := empty()
	if err := json.Unmarshal(want, mine); err != nil {
		t.Fatalf("#%d: codec reading %s: %v", i, want, err)
	}
	if err := json.Unmarshal(want, theirs); err != nil {
		t.Fatalf("#%d: reflection reading %s: %v", i, want, err)
	}
	// The two are different types of the same layout: compare through
	// the reflection encoding of each.
	if diff := cmp.Diff(reflect.ValueOf(theirs).Elem().Interface(), reflect.ValueOf(mine).Convert(reflect.TypeOf(theirs)).Elem().Interface(), cmpRecords); diff != "" {
		t.Fatalf("#%d: read back (-encoding/json +codec):\n%s", i, diff)
	}
	if strings.Contains(string(want), `\ufffd`) {
		return // invalid UTF-8 was written as U+FFFD: no round trip
	}
	if diff := cmp.Diff(reflect.ValueOf(plain).Elem().Interface(), reflect.ValueOf(mine).Convert(reflect.TypeOf(plain)).Elem().Interface(), cmpopts.EquateEmpty(), cmpRecords); diff != "" {
		t.Fatalf("#%d: round trip (-wrote +read):\n%s", i, diff)
	}
}

// TestRecordsJSONSchema2File reads a state file vlanraw 466e399 wrote
// with both decoders.
func TestRecordsJSONSchema2File(t *testing.T) {
	raw, err := os.ReadFile("testdata/schema2/networks.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct{ Data json.RawMessage }
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	var mine records
	var theirs plainRecords
	if err := json.Unmarshal(env.Data, &mine); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(env.Data, &theirs); err != nil {
		t.Fatal(err)
	}
	if len(theirs.Networks) == 0 || len(theirs.Networks[0].Endpoints) == 0 {
		t.Fatalf("the test file has no endpoints: %s", env.Data)
	}
	if diff := cmp.Diff(theirs, plainRecords(mine), cmpRecords); diff != "" {
		t.Errorf("(-encoding/json +codec):\n%s", diff)
	}
}

// TestRecordsJSONRefuses checks that values of the wrong type are errors,
// as they are to encoding/json.
func TestRecordsJSONRefuses(t *testing.T) {
	for _, doc := range []string{
		`{"networks": 5}`,
		`{"networks": [{"name": 5}]}`,
		`{"networks": [{"mtu": -1}]}`,
		`{"networks": [{"mtu": 4294967296}]}`,
		`{"networks": [{"mtu": 1.5}]}`,
		`{"networks": [{"internal": "yes"}]}`,
		`{"networks": [{"subnets": [{"subnet": "10.0.0.0/33"}]}]}`,
		`{"networks": [{"subnets": [{"gateway": 7}]}]}`,
		`{"networks": [{"created": "yesterday"}]}`,
		`{"networks": [{"endpoints": [{"netns_inode": "1"}]}]}`,
		`{"networks": [{"endpoints": [{"cni": []}]}]}`,
		`{"networks": [{"options": {"a": 1}}]}`,
		`[]`,
	} {
		var mine records
		var theirs plainRecords
		errMine, errTheirs := json.Unmarshal([]byte(doc), &mine), json.Unmarshal([]byte(doc), &theirs)
		if errMine == nil || errTheirs == nil {
			t.Errorf("%s: codec error %v, encoding/json error %v: want both", doc, errMine, errTheirs)
		}
	}
}
