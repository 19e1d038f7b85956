// Package bench is vlanraw's bench object: it runs the benchmark suite
// from its compiled test binaries (make bench-bin) and writes its report
// with package bench/report, or builds the report from saved runs, as
// make bench does.
package bench
