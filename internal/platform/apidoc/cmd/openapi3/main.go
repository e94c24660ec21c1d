// Command openapi3 converts swag's Swagger 2.0 output into the OpenAPI 3.0
// document the server embeds:
//
//	go run ./internal/platform/apidoc/cmd/openapi3 -in docs/swagger/swagger.json -out docs/openapi.json
//
// See apidoc.Convert for what the conversion does. `make docs` runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opencrm/crm/internal/platform/apidoc"
)

func main() {
	in := flag.String("in", "docs/swagger/swagger.json", "swag's Swagger 2.0 JSON")
	out := flag.String("out", "docs/openapi.json", "where to write the OpenAPI 3.0 JSON")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "openapi3:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	doc, err := apidoc.Convert(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, doc, 0o644)
}
