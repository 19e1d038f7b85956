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

// Intend records what an Update is about to do to the kernel; when the
// work can be neither finished nor undone, the record stays, and the next
// command finishes it before doing its own.
func ExampleStore_Intend() {
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
		if err := s.Intend([]byte("create link blue0")); err != nil {
			return err
		}
		// Creating blue0 fails half way, and so does deleting it.
		return fmt.Errorf("create link blue0: device busy; delete it: %w", state.ErrUnfinished)
	})
	fmt.Println(err)

	// The next command, in another process say.
	s, err = state.Open[Networks](dir, "networks", 1)
	if err != nil {
		log.Fatal(err)
	}
	s.SetRecover(func(n *Networks, intent []byte) error {
		fmt.Printf("finishing %q\n", intent)
		n.Names = append(n.Names, "blue")
		return nil
	})
	err = s.View(func(n *Networks) error {
		fmt.Println(n.Names)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// create link blue0: device busy; delete it: work left unfinished for the next command
	// finishing "create link blue0"
	// [blue]
}
