package hooks

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The built-in templates: each sends a short message about the event in the
// shape its service documents.
const (
	PresetSlack   = "slack"   // Slack incoming webhook: POST {"text": …} to the hook's URL
	PresetDiscord = "discord" // Discord webhook: POST {"content": …} to the hook's URL
	// PresetMatrix sends PUT {"msgtype": "m.text", "body": …} to
	// <hook URL>/_matrix/client/v3/rooms/<room>/send/m.room.message/<delivery GUID>:
	// the hook's URL is the homeserver's, and the GUID is the transaction id,
	// so that retries of one delivery post one message.
	PresetMatrix = "matrix"
)

// Presets lists the built-in template names.
var Presets = []string{PresetDiscord, PresetMatrix, PresetSlack}

// presetMessages are the messages presets send, per event; "" is for any
// other event. They are template texts that need no JSON escaping of their
// own, inserted into each preset's JSON body.
var presetMessages = map[string]string{
	EventPush:   `[${repository.full_name}] ${pusher.name} pushed to ${ref_name}: ${head_commit.message} ${compare}`,
	EventCreate: `[${repository.full_name}] ${sender.login} created ${ref_type} ${ref}`,
	EventDelete: `[${repository.full_name}] ${sender.login} deleted ${ref_type} ${ref}`,
	EventPing:   `forgehook hook ${hook_id} is set up: ${zen}`,
	"":          `[${repository.full_name}] ${event} event from ${sender.login}`,
}

// presetBodies wrap a message in each preset's JSON shape.
var presetBodies = map[string]string{
	PresetSlack:   `{"text":"%s"}`,
	PresetDiscord: `{"content":"%s"}`,
	PresetMatrix:  `{"msgtype":"m.text","body":"%s"}`,
}

// validatePreset checks a preset template: a known name, a Matrix room id
// for Matrix, nothing else set.
func (t *Template) validatePreset() error {
	if !slices.Contains(Presets, t.Preset) {
		return invalidTemplate("unknown preset %s: want one of %s", quote(t.Preset), strings.Join(Presets, ", "))
	}
	if t.Method != "" || t.URL != "" || t.ContentType != "" || t.Body != "" {
		return invalidTemplate("a preset template sets no method, url, content_type or body")
	}
	switch {
	case t.Preset == PresetMatrix && !strings.HasPrefix(t.Room, "!"):
		return invalidTemplate("the %s preset needs the room id (\"!…\", not an alias) in room", PresetMatrix)
	case t.Preset != PresetMatrix && t.Room != "":
		return invalidTemplate("room is only for the %s preset", PresetMatrix)
	}
	return nil
}

// expand returns the custom template that t stands for, for an event named
// event to a hook whose URL is hookURL: t itself unless it is a preset.
func (t Template) expand(hookURL, event string) Template {
	if t.Preset == "" {
		return t
	}
	msg, ok := presetMessages[event]
	if !ok {
		msg = presetMessages[""]
	}
	out := Template{Method: http.MethodPost, ContentType: "application/json",
		Body: strings.Replace(presetBodies[t.Preset], "%s", msg, 1)}
	if t.Preset == PresetMatrix {
		out.Method = http.MethodPut
		out.URL = literalText(strings.TrimRight(hookURL, "/")+"/_matrix/client/v3/rooms/"+url.PathEscape(t.Room)) +
			"/send/m.room.message/${" + VarDelivery + "}"
	}
	return out
}

// literalText escapes s for a template text: it renders as s.
func literalText(s string) string { return strings.ReplaceAll(s, "${", "$${") }
