package hooks

import (
	"slices"
	"strings"
)

// Event names forgehook fires. Hooks may subscribe to any name in
// RepositoryEvents, but only these are ever sent.
const (
	EventPush     = "push"
	EventPing     = "ping"
	EventCreate   = "create"
	EventDelete   = "delete"
	EventMeta     = "meta" // sent to a hook when it is deleted
	EventWildcard = "*"
)

// RepositoryEvents is GitHub's list of event names a repository hook may
// subscribe to. GitHub accepts all of them even where they can never fire, and
// so does forgehook, so that clients that subscribe broadly keep working.
var RepositoryEvents = []string{
	"branch_protection_configuration", "branch_protection_rule", "check_run", "check_suite",
	"code_scanning_alert", "commit_comment", "create", "custom_property_values", "delete",
	"dependabot_alert", "deploy_key", "deployment", "deployment_status", "discussion",
	"discussion_comment", "fork", "gollum", "issue_comment", "issues", "label", "member",
	"merge_group", "meta", "milestone", "package", "page_build", "project", "project_card",
	"project_column", "public", "pull_request", "pull_request_review",
	"pull_request_review_comment", "pull_request_review_thread", "push", "registry_package",
	"release", "repository", "repository_advisory", "repository_import", "repository_ruleset",
	"repository_vulnerability_alert", "secret_scanning_alert", "secret_scanning_alert_location",
	"secret_scanning_scan", "security_and_analysis", "star", "status", "team_add", "watch",
	"workflow_job", "workflow_run",
}

// OrganizationOnlyEvents may be subscribed to by organization hooks only.
var OrganizationOnlyEvents = []string{
	"membership", "organization", "org_block", "projects_v2", "projects_v2_item", "team",
}

// GlobalOnlyEvents may be subscribed to by global hooks only, as on GitHub
// Enterprise Server.
var GlobalOnlyEvents = []string{"user"}

// GlobalDefaultEvents are the events of a global hook created without any,
// as on GitHub Enterprise Server. forgehook sends neither: a global hook
// that should see pushes subscribes to push, create and delete.
var GlobalDefaultEvents = []string{"user", "organization"}

// ValidEvent reports whether name may appear in a hook's events; org says
// whether the hook is an organization hook.
func ValidEvent(name string, org bool) bool {
	return name == EventWildcard || slices.Contains(RepositoryEvents, name) ||
		org && slices.Contains(OrganizationOnlyEvents, name)
}

// NormalizeEvents sorts out a requested event list the way GitHub does:
// duplicates go, and "*" replaces everything else. Unknown names are an
// EINVALID error naming the first of them.
func NormalizeEvents(events []string, org bool) ([]string, error) {
	return normalizeEvents(events, org, false)
}

// normalizeEvents is NormalizeEvents for a global hook too: it may also
// subscribe to organization events and GlobalOnlyEvents.
func normalizeEvents(events []string, org, global bool) ([]string, error) {
	out := make([]string, 0, len(events))
	for _, e := range events {
		e = strings.TrimSpace(e)
		if !ValidEvent(e, org || global) && !(global && slices.Contains(GlobalOnlyEvents, e)) {
			return nil, Invalid("Hook", "events", "invalid", "Invalid event name: "+quote(e))
		}
		if e == EventWildcard {
			return []string{EventWildcard}, nil
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func quote(s string) string { return `"` + truncate(s, 100) + `"` }
