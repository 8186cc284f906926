// The local cluster's pod sandbox ("pause") program: no image can be pulled here, so it is built from this
// module (standard library only) into a FROM-scratch image.
module github.com/gke-platform/tools/pause

go 1.26
