//go:build tools

// Package tools records kube-state-metrics as a dependency of this module.
package tools

import _ "k8s.io/kube-state-metrics/v2"
