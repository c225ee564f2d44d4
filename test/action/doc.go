// Package action tests the podlint GitHub Action: action.yml's inputs and
// steps agree with hack/action.sh, and the script, run here with the
// environment the action gives it, installs podlint, prints annotations,
// writes the SARIF file and exits with podlint's code.
package action
