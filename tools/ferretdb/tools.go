//go:build tools

// Package tools records the FerretDB command as a dependency of this module.
package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
