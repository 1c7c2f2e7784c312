// Package redact hides secrets in settings before they are shown: in
// --print-config, and in any log line that repeats a setting.
package redact

import (
	"regexp"
	"strings"
)

// Mask is what a secret is shown as.
const Mask = "********"

// secretName matches the names of settings whose value is a secret itself.
var secretName = regexp.MustCompile(`secret|token|password|passwd|credential|private-key`)

// urlUserinfo matches the user:password@ part of a URL.
var urlUserinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\s]+@`)

// Setting returns the value of the setting name as it may be shown: all of
// it masked if the name says it is a secret, token, password, credential or
// private key, else with the userinfo of every URL in it masked. A name
// ending in -file names where a secret is kept, which is shown.
func Setting(name, value string) string {
	if value != "" && secretName.MatchString(name) && !strings.HasSuffix(name, "-file") {
		return Mask
	}
	return urlUserinfo.ReplaceAllString(value, "${1}"+Mask+"@")
}
