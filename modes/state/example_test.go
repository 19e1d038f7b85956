package state_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/vlanraw/vlanraw/modes/state"
)

// Networks is what a vlanraw command might keep in a store.
type Networks struct {
	Names []string `json:"names"`
}

// Update saves a change only when its function returns nil.
func ExampleStore_Update() {
	dir, err := os.MkdirTemp("", "vlanraw-state-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := state.Open[Networks](dir, "networks", 1)
	if err != nil {
		log.Fatal(err)
	}
	err = s.Update(func(n *Networks) error {
		n.Names = append(n.Names, "blue")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	err = s.Update(func(n *Networks) error {
		n.Names = append(n.Names, "red")
		return errors.New("network red: parent eth9 not found")
	})
	fmt.Println(err)

	b, err := os.ReadFile(s.Path())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// network red: parent eth9 not found
	// {
	//   "schema": 1,
	//   "data": {
	//     "names": [
	//       "blue"
	//     ]
	//   }
	// }
}
