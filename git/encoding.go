package git

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// commitUTF8 returns the encoded commit raw in UTF-8, as git log shows it:
// a commit whose encoding header names another encoding is converted whole,
// headers and message. Like git, it leaves raw as it is when the encoding is
// UTF-8, unknown, or does not decode raw (git's iconv fails, and forgehook's
// decoders put U+FFFD where iconv would fail).
func commitUTF8(raw []byte) []byte {
	name := commitEncoding(raw)
	if name == "" || isUTF8Name(name) {
		return raw
	}
	enc := lookupEncoding(name)
	if enc == nil {
		return raw
	}
	out, err := enc.NewDecoder().Bytes(raw)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return raw
	}
	return out
}

// commitEncoding returns the value of the encoding header of raw, or "".
func commitEncoding(raw []byte) string {
	for rest := raw; ; {
		key, val, next, ok := nextHeader(rest)
		if !ok {
			return ""
		}
		if string(key) == "encoding" {
			return string(val)
		}
		rest = next
	}
}

// isUTF8Name reports whether git takes name to mean UTF-8 (is_encoding_utf8).
func isUTF8Name(name string) bool {
	return strings.EqualFold(name, "utf-8") || strings.EqualFold(name, "utf8")
}

// lookupEncoding returns the encoding that name means to git (that is, to
// glibc's iconv), or nil if none that forgehook can decode. IANA names and
// aliases come first; then the spellings iconv also accepts (cp1252,
// iso8859-2, eucjp, sjis, ...); then the WHATWG labels, except where WHATWG
// reads a Latin-1 or ASCII label as windows-1252, which iconv does not.
func lookupEncoding(name string) encoding.Encoding {
	if strings.EqualFold(name, "latin-1") {
		name = "ISO-8859-1" // git's own fallback (utf8.c fallback_encoding)
	}
	if e, err := ianaindex.IANA.Encoding(name); err == nil && e != nil {
		return e
	}
	if alias := iconvAlias(name); alias != "" {
		if e, err := ianaindex.IANA.Encoding(alias); err == nil && e != nil {
			return e
		}
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil
	}
	if canonical, _ := htmlindex.Name(e); canonical == "windows-1252" && !strings.Contains(name, "1252") {
		return nil
	}
	return e
}

// iconvAlias maps a spelling that glibc's iconv accepts but IANA lacks to
// the IANA name, or returns "".
func iconvAlias(name string) string {
	key := strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(name))
	switch key {
	case "eucjp", "ujis":
		return "EUC-JP"
	case "euckr":
		return "EUC-KR"
	case "sjis", "shiftjis", "cp932", "windows31j", "mskanji":
		return "Shift_JIS" // x/text's Shift_JIS is WHATWG's, which is cp932
	case "cp936", "gb2312", "euccn":
		return "GBK" // a superset: whatever these decode, GBK decodes the same
	case "cp949", "uhc":
		return "EUC-KR" // x/text's EUC-KR is WHATWG's, which is cp949
	case "koi8r":
		return "KOI8-R"
	case "koi8u":
		return "KOI8-U"
	}
	if n, ok := strings.CutPrefix(key, "iso8859"); ok && n != "" {
		return "ISO-8859-" + n
	}
	if n, ok := strings.CutPrefix(key, "cp"); ok && len(n) == 4 && strings.HasPrefix(n, "125") {
		return "windows-" + n
	}
	return ""
}
