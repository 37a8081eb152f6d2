package actions

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// ReadSfdxAuthURL reads a file holding a force:// SFDX auth URL, either raw
// or as the JSON `sf org auth show-sfdx-auth-url --json` (or `sf org
// display --verbose --json`) writes. The URL is a secret: no error quotes
// it, only the file's name.
func (s *Service) ReadSfdxAuthURL(path string) (string, error) {
	if err := s.LocalOnly(fmt.Sprintf("reading the SFDX auth URL file %q", path)); err != nil {
		return "", err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("SFDX auth URL file: %v", err)
	}
	text := strings.TrimSpace(string(b))
	if strings.HasPrefix(text, "{") {
		var doc struct {
			SfdxAuthURL string `json:"sfdxAuthUrl"`
			Result      struct {
				SfdxAuthURL string `json:"sfdxAuthUrl"`
			} `json:"result"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return "", fmt.Errorf("SFDX auth URL file %s is not valid JSON; expected a force:// URL or sf's JSON with sfdxAuthUrl", path)
		}
		text = doc.Result.SfdxAuthURL
		if text == "" {
			text = doc.SfdxAuthURL
		}
	}
	if !strings.HasPrefix(text, "force://") || !strings.Contains(text, "@") {
		return "", fmt.Errorf("SFDX auth URL file %s holds no force://<clientId>:<secret>:<refreshToken>@<host> URL; get one with `sf org auth show-sfdx-auth-url --json`", path)
	}
	return text, nil
}
