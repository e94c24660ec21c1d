package apidoc

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestOmitEmptyFieldsAreOptional reads the API's DTOs (structs whose
// closing brace carries swag's "// @name X") and fails for a field whose
// json tag says omitempty but which is not tagged extensions:"x-optional":
// Convert would document it as required, and the first response that
// leaves it out breaks the document. The suite's validator finds that
// only when a test happens to see such a response; this finds it always.
func TestOmitEmptyFieldsAreOptional(t *testing.T) {
	root := repoRoot(t)
	var bad []string
	for _, dir := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			bad = append(bad, untaggedOmitEmpty(t, root, path)...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(bad) > 0 {
		t.Errorf("omitempty fields of API DTOs must be tagged extensions:\"x-optional\" "+
			"(or \"x-nullable,x-optional\"), else the document calls them required:\n\t%s", strings.Join(bad, "\n\t"))
	}
}

func untaggedOmitEmpty(t *testing.T, root, path string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	named := map[int]bool{} // lines with a "@name" comment
	for _, cg := range f.Comments {
		if strings.Contains(cg.Text(), "@name ") {
			named[fset.Position(cg.Pos()).Line] = true
		}
	}
	rel, _ := filepath.Rel(root, path)
	var bad []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok || !named[fset.Position(st.End()).Line] {
			return true
		}
		for _, field := range st.Fields.List {
			if field.Tag == nil {
				continue
			}
			raw, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				continue
			}
			tag := reflect.StructTag(raw)
			_, opts, _ := strings.Cut(tag.Get("json"), ",")
			if !slices.Contains(strings.Split(opts, ","), "omitempty") || tag.Get("swaggerignore") == "true" {
				continue
			}
			if slices.Contains(strings.Split(tag.Get("extensions"), ","), xOptional) {
				continue
			}
			name := ts.Name.Name
			if len(field.Names) > 0 {
				name += "." + field.Names[0].Name
			}
			bad = append(bad, filepath.ToSlash(rel)+":"+strconv.Itoa(fset.Position(field.Pos()).Line)+" "+name)
		}
		return true
	})
	return bad
}
