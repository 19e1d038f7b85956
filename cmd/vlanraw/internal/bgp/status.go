package bgp

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/vlanraw/vlanraw/bgp"
	"github.com/vlanraw/vlanraw/cmd/vlanraw/internal/cli"
	"github.com/vlanraw/vlanraw/modes/state"
)

// statusTimeout bounds the wait for the speaker's answer.
const statusTimeout = 5 * time.Second

// runStatus runs `vlanraw bgp status [-j]`: it asks the speaker running
// for the state directory for its sessions and announced routes.
func runStatus(e *cli.Env, args []string) error {
	var help bool
	fs := pflag.NewFlagSet("bgp status", pflag.ContinueOnError)
	e.OutputFlags(fs)
	fs.BoolVarP(&help, "help", "h", false, "show help")
	rest, err := cli.ParseFlags(fs, "bgp", &help, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return cli.Usagef("bgp status takes no words besides -j and -p, got %q", rest[0])
	}
	ctx := e.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	st, err := bgp.ReadStatus(ctx, bgp.SocketPath(state.Dir(e.StateDir)))
	if err != nil {
		return err
	}
	if e.JSON {
		return cli.WriteJSON(e.Stdout, st, e.Pretty)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "AS %d, router ID %s\n\n", st.ASN, st.RouterID)
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PEER\tAS\tSTATE\tSINCE\tADVERTISED\tLAST DOWN")
	for _, s := range st.Sessions {
		since := "-"
		if !s.Since.IsZero() {
			since = s.Since.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\n", s.Peer, s.ASN, s.State, since, s.Advertised, s.Reason)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\nannounced: %d prefix(es)\n", len(st.Announced))
	for _, r := range st.Announced {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	_, err = fmt.Fprint(e.Stdout, b.String())
	return err
}
