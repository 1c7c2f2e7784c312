package pshb_test

import (
	"testing"

	"github.com/forgehook/forgehook/pshb"
)

func TestParseTopic(t *testing.T) {
	tests := []struct {
		topic              string
		owner, repo, event string
		json, wantErr      bool
	}{
		{"https://github.com/acme/widgets/events/push", "acme", "widgets", "push", false, false},
		{"http://git.example:8080/acme/widgets/events/push.json", "acme", "widgets", "push", true, false},
		{"https://x/acme/widgets.git/events/create", "acme", "widgets", "create", false, false},
		{"https://x/acme/widgets/events/issues", "acme", "widgets", "issues", false, false},
		{"https://x/acme/widgets/events/bogus", "", "", "", false, true},
		{"https://x/acme/widgets/events/*", "", "", "", false, true},
		{"https://x/acme/widgets/push", "", "", "", false, true},
		{"https://x/acme/../events/push", "", "", "", false, true},
		{"https://x/acme/widgets/events/push/extra", "", "", "", false, true},
		{"", "", "", "", false, true},
	}
	for _, tt := range tests {
		owner, repo, event, json, err := pshb.ParseTopic(tt.topic)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTopic(%q) err = %v, want error %v", tt.topic, err, tt.wantErr)
			continue
		}
		if owner != tt.owner || repo != tt.repo || event != tt.event || json != tt.json {
			t.Errorf("ParseTopic(%q) = %s %s %s %v, want %s %s %s %v", tt.topic, owner, repo, event, json, tt.owner, tt.repo, tt.event, tt.json)
		}
	}
}

func FuzzParseTopic(f *testing.F) {
	f.Add("https://github.com/acme/widgets/events/push.json")
	f.Add("%%%/../events/x")
	f.Fuzz(func(t *testing.T, topic string) {
		owner, repo, event, _, err := pshb.ParseTopic(topic)
		if err == nil && (owner == "" || repo == "" || event == "") {
			t.Fatalf("ParseTopic(%q) accepted an empty part: %q %q %q", topic, owner, repo, event)
		}
	})
}
