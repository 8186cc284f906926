//go:build tools

// Package tools records CoreDNS as a dependency of this module.
package tools

import _ "github.com/coredns/coredns"
