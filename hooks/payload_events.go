package hooks

// PingPayload is the body of a ping event, sent when a hook is created and on request.
type PingPayload struct {
	Zen          string    `json:"zen"`
	HookID       int64     `json:"hook_id"`
	Hook         *HookJSON `json:"hook"`
	Repository   *RepoJSON `json:"repository,omitempty"`
	Organization *OrgJSON  `json:"organization,omitempty"`
	Sender       UserJSON  `json:"sender"`
}

// Zen is the aphorism ping events carry.
const Zen = "Speak like a human."

// NewPingPayload builds the ping payload for h. repo is nil for an
// organization hook; owner is the hook's owner account. The hook's
// last_response is always "unused", with a null code and message, as
// GitHub's published ping schema has it; the REST API shows the real one.
func NewPingPayload(u URLs, h *Hook, repo *Repository, owner, sender Account) *PingPayload {
	hook := NewHookJSON(u, h)
	hook.LastResponse = &LastResponseJSON{Status: "unused"}
	p := &PingPayload{Zen: Zen, HookID: h.ID, Hook: hook,
		Organization: NewOrgJSON(u, owner), Sender: NewUserJSON(u, sender)}
	if repo != nil {
		p.Repository = NewRepoJSON(u, repo)
	}
	return p
}

// MetaPayload is the body of a meta event: the hook it is sent to was deleted.
type MetaPayload struct {
	Action       string    `json:"action"`
	HookID       int64     `json:"hook_id"`
	Hook         *HookJSON `json:"hook"`
	Repository   *RepoJSON `json:"repository,omitempty"`
	Organization *OrgJSON  `json:"organization,omitempty"`
	Sender       UserJSON  `json:"sender"`
}

// NewMetaPayload builds the meta event (action deleted) of h, as GitHub
// sends it to a hook being deleted: the hook object (secret masked), its
// repository or organization, and who deleted it.
func NewMetaPayload(u URLs, h *Hook, repo *Repository, owner, sender Account) *MetaPayload {
	p := &MetaPayload{Action: "deleted", HookID: h.ID, Hook: NewHookJSON(u, h),
		Organization: NewOrgJSON(u, owner), Sender: NewUserJSON(u, sender)}
	if repo != nil {
		p.Repository = NewRepoJSON(u, repo)
	}
	return p
}

// CreatePayload is the body of a create event: a branch or tag was created.
type CreatePayload struct {
	Ref          string    `json:"ref"`
	RefType      string    `json:"ref_type"`
	MasterBranch string    `json:"master_branch"`
	Description  *string   `json:"description"`
	PusherType   string    `json:"pusher_type"`
	Repository   *RepoJSON `json:"repository"`
	Organization *OrgJSON  `json:"organization,omitempty"`
	Sender       UserJSON  `json:"sender"`
}

// DeletePayload is the body of a delete event: a branch or tag was deleted.
type DeletePayload struct {
	Ref          string    `json:"ref"`
	RefType      string    `json:"ref_type"`
	PusherType   string    `json:"pusher_type"`
	Repository   *RepoJSON `json:"repository"`
	Organization *OrgJSON  `json:"organization,omitempty"`
	Sender       UserJSON  `json:"sender"`
}

// NewRefEventPayload returns the create or delete payload for up, or nil if
// up neither creates nor deletes a branch or tag.
func NewRefEventPayload(u URLs, r *Repository, up RefUpdate, pusher Account) (event string, payload any) {
	if up.RefType() == "" || up.Created() == up.Deleted() {
		return "", nil
	}
	repo, org, sender := NewRepoJSON(u, r), NewOrgJSON(u, r.Owner), NewUserJSON(u, pusher)
	if up.Created() {
		return EventCreate, &CreatePayload{Ref: up.ShortRef(), RefType: up.RefType(),
			MasterBranch: r.DefaultBranch, Description: nullable(r.Description), PusherType: "user",
			Repository: repo, Organization: org, Sender: sender}
	}
	return EventDelete, &DeletePayload{Ref: up.ShortRef(), RefType: up.RefType(), PusherType: "user",
		Repository: repo, Organization: org, Sender: sender}
}
