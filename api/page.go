package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/forgehook/forgehook/hooks"
)

// Page sizes, as on GitHub.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// pageParams reads page (1-based) and per_page (see perPageParam).
func pageParams(r *http.Request) (page, perPage int, err error) {
	q := r.URL.Query()
	page, perPage = 1, defaultPerPage
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 || page > 1_000_000 {
			return 0, 0, hooks.Errorf(hooks.EBADREQUEST, "Invalid page: %q", truncate(v, 20))
		}
	}
	if perPage, err = perPageParam(q); err != nil {
		return 0, 0, err
	}
	return page, perPage, nil
}

// perPageParam reads per_page as GitHub does: absent, zero or negative is
// the default, 30; over 100 is 100.
func perPageParam(q url.Values) (int, error) {
	v := q.Get("per_page")
	if v == "" {
		return defaultPerPage, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, hooks.Errorf(hooks.EBADREQUEST, "Invalid per_page: %q", truncate(v, 20))
	}
	if n <= 0 {
		return defaultPerPage, nil
	}
	return min(n, maxPerPage), nil
}

// setPageLinks writes GitHub's Link header (first, prev, next, last) for
// page-numbered lists, all relations in one header value.
func setPageLinks(w http.ResponseWriter, r *http.Request, public string, page, perPage, total int) {
	last := max((total+perPage-1)/perPage, 1)
	link := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, strings.TrimRight(public, "/"), r.URL.Path, q.Encode(), rel)
	}
	var rels []string
	if page < last {
		rels = append(rels, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		rels = append(rels, link(1, "first"), link(min(page-1, last), "prev"))
	}
	if len(rels) > 0 {
		w.Header().Set("Link", strings.Join(rels, ", "))
	}
}
