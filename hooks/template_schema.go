package hooks

import (
	"reflect"
	"slices"
	"strings"
)

// Variables every template may use besides payload paths. They win over a
// payload field of the same name.
const (
	VarEvent    = "event"    // the event name: X-GitHub-Event
	VarDelivery = "delivery" // the delivery GUID: X-GitHub-Delivery
	VarHookID   = "hook_id"  // the hook's id
	VarRefName  = "ref_name" // the ref without refs/heads/ or refs/tags/
)

var builtinVars = []string{VarEvent, VarDelivery, VarHookID, VarRefName}

// payloadTypes are the payload shapes of the events forgehook sends, which
// templates are checked against: a variable must be a path of one of them.
var payloadTypes = map[string]reflect.Type{
	EventPing:   reflect.TypeOf(PingPayload{}),
	EventPush:   reflect.TypeOf(PushPayload{}),
	EventCreate: reflect.TypeOf(CreatePayload{}),
	EventDelete: reflect.TypeOf(DeletePayload{}),
}

// templateEvents returns the events h may be sent that have a known payload
// shape: ping, and those of its events forgehook sends.
func templateEvents(h *Hook) []string {
	out := []string{EventPing}
	for e := range payloadTypes {
		if e != EventPing && h.Wants(e) {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out
}

// knownVariable reports whether path names a built-in variable or a field of
// the payload of one of events.
func knownVariable(path []step, events []string) bool {
	if len(path) == 1 && slices.Contains(builtinVars, path[0].name) {
		return true
	}
	for _, e := range events {
		if t, ok := payloadTypes[e]; ok && hasPath(t, path) {
			return true
		}
	}
	return false
}

// hasPath reports whether path leads somewhere in a value of type t, by the
// JSON names of its fields. An interface-typed field (a repository's owner,
// which has two shapes) accepts any path below it.
func hasPath(t reflect.Type, path []step) bool {
	for _, s := range path {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Interface:
			return true
		case reflect.Struct:
			f, ok := jsonField(t, s.name)
			if !ok {
				return false
			}
			t = f
		case reflect.Slice, reflect.Array:
			if s.name != "" {
				return false
			}
			t = t.Elem()
		case reflect.Map:
			if s.name == "" {
				return false
			}
			t = t.Elem()
		default:
			return false
		}
	}
	return true
}

// jsonField returns the type of t's field whose JSON name is name.
func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	if name == "" {
		return nil, false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name && f.IsExported() {
			return f.Type, true
		}
	}
	return nil, false
}
