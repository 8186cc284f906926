// Command gen writes schema-embed.json (the provider's schema with its version set) and
// terraform-mapping-embed.json from the provider module's sources, as upstream's release tooling does.
//
//	go run ./gen <version> <output dir>
package main

import (
	"encoding/json"
	"log"
	"os"
	"os/exec"
	"path/filepath"
)

const module = "github.com/pulumi/pulumi-kubernetes/provider/v4"

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: gen <version> <output dir>")
	}
	version, out := os.Args[1], os.Args[2]
	src := filepath.Join(moduleDir(), "cmd", "pulumi-resource-kubernetes")

	var schema map[string]any
	readJSON(filepath.Join(src, "schema.json"), &schema)
	schema["version"] = version
	writeJSON(filepath.Join(out, "schema-embed.json"), schema)

	var mapping any
	readJSON(filepath.Join(src, "terraform-mapping.json"), &mapping)
	writeJSON(filepath.Join(out, "terraform-mapping-embed.json"), mapping)
}

// moduleDir returns the provider module's directory in the module cache, downloading it first: `go list -m`
// reports an empty Dir for a module that nothing has fetched yet (a fresh machine's empty cache).
func moduleDir() string {
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("downloading %s: %v", module, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		log.Fatalf("go mod download %s: %v", module, err)
	}
	if info.Error != "" || info.Dir == "" {
		log.Fatalf("go mod download %s: no directory (%s)", module, info.Error)
	}
	return info.Dir
}

func readJSON(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
}

func writeJSON(path string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
