//go:build tools

// Package tools records prometheus-adapter as a dependency of this module.
package tools

import _ "sigs.k8s.io/prometheus-adapter/cmd/adapter"
