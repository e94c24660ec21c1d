package apidoc

import (
	"context"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/opencrm/crm/docs"
)

// Document returns the embedded OpenAPI 3.0 document (docs/openapi.json) as
// bytes, ready to be served with Content-Type application/json.
func Document() []byte { return docs.OpenAPI }

// Load parses and validates the embedded OpenAPI 3.0 document.
func Load() (*openapi3.T, error) { return Parse(docs.OpenAPI) }

// Parse parses and validates an OpenAPI 3.0 document.
func Parse(doc []byte) (*openapi3.T, error) {
	t, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("apidoc: loading openapi document: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("apidoc: invalid openapi document: %w", err)
	}
	return t, nil
}

// NewEmbeddedValidator is NewValidator on the embedded docs/openapi.json.
func NewEmbeddedValidator() (*Validator, error) { return NewValidator(docs.OpenAPI) }
