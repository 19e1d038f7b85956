package errdefs_test

import (
	"errors"
	"fmt"

	"github.com/vlanraw/vlanraw/errdefs"
	"github.com/vlanraw/vlanraw/links"
)

// An error from any vlanraw package says what went wrong in its own
// words, and errors.Is tells its category, through any wrapping.
func Example() {
	err := fmt.Errorf("create endpoint: %w", links.CheckName("a/b"))
	fmt.Println(err)
	fmt.Println("invalid:", errors.Is(err, errdefs.ErrInvalid))
	fmt.Println("not supported:", errors.Is(err, errdefs.ErrNotSupported))
	// Output:
	// create endpoint: invalid link name "a/b": it must not contain '/' or ':'
	// invalid: true
	// not supported: false
}
