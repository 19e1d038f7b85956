package bgp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// SocketName is the name of the unix socket a running speaker serves its
// status on, in the state directory of the networks it announces.
const SocketName = "bgp.sock"

// SocketPath returns the status socket's path for the state directory
// dir.
func SocketPath(dir string) string { return filepath.Join(dir, SocketName) }

// ServeStatus answers every connection to l with the speaker's Status as
// one JSON document, then closes it, until l is closed.
func ServeStatus(l net.Listener, sp *Speaker) error {
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("status socket: %w", err)
		}
		go func() {
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			st, err := sp.Status(ctx)
			if err != nil {
				json.NewEncoder(c).Encode(map[string]string{"error": err.Error()})
				return
			}
			json.NewEncoder(c).Encode(st)
		}()
	}
}

// ErrNotRunning is matched by ReadStatus's error when no speaker serves
// the socket.
var ErrNotRunning = errors.New("no BGP speaker is running")

// ReadStatus asks the speaker serving the unix socket at path for its
// Status.
func ReadStatus(ctx context.Context, path string) (Status, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return Status{}, fmt.Errorf("%w for this state directory (%s): start one with \"vlanraw bgp run\": %w", ErrNotRunning, path, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetReadDeadline(dl)
	}
	var reply struct {
		Status
		Error string `json:"error"`
	}
	if err := json.NewDecoder(c).Decode(&reply); err != nil {
		return Status{}, fmt.Errorf("read the speaker's status from %s: %w", path, err)
	}
	if reply.Error != "" {
		return Status{}, fmt.Errorf("the speaker at %s: %s", path, reply.Error)
	}
	return reply.Status, nil
}
