//go:build tools

// Package tools records the Node.js language host as a dependency of this module.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
