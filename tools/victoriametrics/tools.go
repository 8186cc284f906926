//go:build tools

// Package tools records VictoriaMetrics single-node and vmalert as dependencies of this module.
package tools

import (
	_ "github.com/VictoriaMetrics/VictoriaMetrics/app/victoria-metrics"
	_ "github.com/VictoriaMetrics/VictoriaMetrics/app/vmalert"
)
