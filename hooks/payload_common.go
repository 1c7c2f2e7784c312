package hooks

import (
	"encoding/base64"
	"fmt"
	"time"
)

// UserJSON is GitHub's user object: a sender, or a repository's owner.
type UserJSON struct {
	Login             string `json:"login"`
	ID                int64  `json:"id"`
	NodeID            string `json:"node_id"`
	AvatarURL         string `json:"avatar_url"`
	GravatarID        string `json:"gravatar_id"`
	URL               string `json:"url"`
	HTMLURL           string `json:"html_url"`
	FollowersURL      string `json:"followers_url"`
	FollowingURL      string `json:"following_url"`
	GistsURL          string `json:"gists_url"`
	StarredURL        string `json:"starred_url"`
	SubscriptionsURL  string `json:"subscriptions_url"`
	OrganizationsURL  string `json:"organizations_url"`
	ReposURL          string `json:"repos_url"`
	EventsURL         string `json:"events_url"`
	ReceivedEventsURL string `json:"received_events_url"`
	Type              string `json:"type"`
	SiteAdmin         bool   `json:"site_admin"`
}

// NewUserJSON returns the user object of a.
func NewUserJSON(u URLs, a Account) UserJSON {
	api := u.User(a.Login)
	typ, kind := "User", "User"
	if a.Org {
		typ, kind = "Organization", "Organization"
	}
	return UserJSON{
		Login: a.Login, ID: a.ID, NodeID: nodeID(kind, a.ID),
		AvatarURL: u.Public + "/avatars/" + a.Login, URL: api, HTMLURL: u.Public + "/" + a.Login,
		FollowersURL: api + "/followers", FollowingURL: api + "/following{/other_user}",
		GistsURL: api + "/gists{/gist_id}", StarredURL: api + "/starred{/owner}{/repo}",
		SubscriptionsURL: api + "/subscriptions", OrganizationsURL: api + "/orgs",
		ReposURL: api + "/repos", EventsURL: api + "/events{/privacy}",
		ReceivedEventsURL: api + "/received_events", Type: typ,
	}
}

// OrgJSON is GitHub's organization object, sent with events of org repositories.
type OrgJSON struct {
	Login            string  `json:"login"`
	ID               int64   `json:"id"`
	NodeID           string  `json:"node_id"`
	URL              string  `json:"url"`
	ReposURL         string  `json:"repos_url"`
	EventsURL        string  `json:"events_url"`
	HooksURL         string  `json:"hooks_url"`
	IssuesURL        string  `json:"issues_url"`
	MembersURL       string  `json:"members_url"`
	PublicMembersURL string  `json:"public_members_url"`
	AvatarURL        string  `json:"avatar_url"`
	Description      *string `json:"description"`
}

// NewOrgJSON returns the organization object of a, or nil if a is not an organization.
func NewOrgJSON(u URLs, a Account) *OrgJSON {
	if !a.Org {
		return nil
	}
	api := u.API + "/orgs/" + a.Login
	return &OrgJSON{
		Login: a.Login, ID: a.ID, NodeID: nodeID("Organization", a.ID), URL: api,
		ReposURL: api + "/repos", EventsURL: api + "/events", HooksURL: api + "/hooks",
		IssuesURL: api + "/issues", MembersURL: api + "/members{/member}",
		PublicMembersURL: api + "/public_members{/member}", AvatarURL: u.Public + "/avatars/" + a.Login,
	}
}

// nodeID returns a GraphQL-style global id, as GitHub's legacy node ids look.
func nodeID(kind string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%02d:%s%d", len(kind), kind, id)))
}

// isoTime formats t as GitHub's REST timestamps: UTC, second precision.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
