package apidoc

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestDocsAreFresh regenerates the documents from the annotations, as
// `make docs` does, and fails when the committed ones differ.
func TestDocsAreFresh(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH: cannot run swag")
	}
	root := repoRoot(t)
	out := t.TempDir()

	cmd := exec.Command(goBin, append([]string{"tool", "swag", "init"}, SwagInitArgs(out)...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go tool swag init: %v\n%s", err, stderr.Bytes())
	}
	swagger, err := os.ReadFile(filepath.Join(out, "swagger.json"))
	if err != nil {
		t.Fatal(err)
	}
	openapi, err := Convert(swagger)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}

	for _, f := range []struct {
		committed string
		fresh     []byte
	}{
		{"docs/swagger/swagger.json", swagger},
		{"docs/openapi.json", openapi},
	} {
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.committed)))
		if err != nil {
			t.Errorf("%s is missing: run make docs (%v)", f.committed, err)
			continue
		}
		if !bytes.Equal(old, f.fresh) {
			t.Errorf("%s is stale: run make docs\n%s", f.committed, firstDifference(old, f.fresh))
		}
	}
}

// repoRoot walks up from the working directory to the directory of go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// firstDifference names the first line where committed and fresh differ.
func firstDifference(committed, fresh []byte) string {
	a, b := bytes.Split(committed, []byte("\n")), bytes.Split(fresh, []byte("\n"))
	for i := 0; i < len(a) || i < len(b); i++ {
		var la, lb []byte
		if i < len(a) {
			la = a[i]
		}
		if i < len(b) {
			lb = b[i]
		}
		if !bytes.Equal(la, lb) || i >= len(a) || i >= len(b) {
			return fmt.Sprintf("first difference at line %d:\n\tcommitted: %s\n\tgenerated: %s", i+1, la, lb)
		}
	}
	return ""
}
