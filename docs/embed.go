// Package docs holds the generated API documents. openapi.json (OpenAPI 3.0)
// is embedded and served at GET /openapi.json; swagger/swagger.json is swag's
// Swagger 2.0 output it is converted from. Regenerate both with `make docs`.
package docs

import _ "embed"

// OpenAPI is docs/openapi.json, the OpenAPI 3.0 document of the API.
//
//go:embed openapi.json
var OpenAPI []byte
