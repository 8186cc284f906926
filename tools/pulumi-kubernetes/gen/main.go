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
	"strings"
)

const module = "github.com/pulumi/pulumi-kubernetes/provider/v4"

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: gen <version> <output dir>")
	}
	version, out := os.Args[1], os.Args[2]
	dirBytes, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		log.Fatalf("locating %s: %v", module, err)
	}
	src := filepath.Join(strings.TrimSpace(string(dirBytes)), "cmd", "pulumi-resource-kubernetes")

	var schema map[string]any
	readJSON(filepath.Join(src, "schema.json"), &schema)
	schema["version"] = version
	writeJSON(filepath.Join(out, "schema-embed.json"), schema)

	var mapping any
	readJSON(filepath.Join(src, "terraform-mapping.json"), &mapping)
	writeJSON(filepath.Join(out, "terraform-mapping-embed.json"), mapping)
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
