package cli

import (
	"fmt"
	"strings"
)

// examples holds one worked example per command, shown by `relman help
// CMD` and `relman CMD --help`. They live here, beside each other, so they
// read as one consistent story (the demo's store: CR-0001, DR-0001, the
// production, uat and dev environments, users alice, bob and carol).
var examples = map[string]string{
	"env add":           "relman env add uat --kind sandbox --url https://acme--uat.sandbox.my.salesforce.com --auth sfdx-url --sfdx-url-file ~/uat.url",
	"env list":          "relman env list",
	"env show":          "relman env show production",
	"env test":          "relman env test uat",
	"env rm":            "relman env rm dev",
	"cr new":            "relman cr new --env production --name \"Invoice due dates\" --component CustomField:Invoice__c.Status__c --approver bob,carol",
	"cr list":           "relman cr list --status \"pending approval\" --limit 20",
	"cr show":           "relman cr show CR-0001",
	"cr edit":           "relman cr edit CR-0001 --proposed CustomField:Invoice__c.Due_Date__c --approver carol",
	"cr submit":         "relman cr submit CR-0001",
	"cr approve":        "relman cr approve CR-0001 --comment \"looks right\"",
	"cr reject":         "relman cr reject CR-0001 --comment \"the layout change is missing\"",
	"cr sync":           "relman cr sync CR-0001 --to dev",
	"cr push":           "relman cr push CR-0002",
	"cr complete":       "relman cr complete CR-0001",
	"cr cancel":         "relman cr cancel CR-0001 --reason \"replaced by CR-0004\"",
	"deploy new":        "relman deploy new --cr CR-0001 --from uat --to production --test-level RunSpecifiedTests --tests InvoiceServiceTest",
	"deploy submit":     "relman deploy submit DR-0001",
	"deploy approve":    "relman deploy approve DR-0001 --comment \"go after 18:00\"",
	"deploy reject":     "relman deploy reject DR-0001 --comment \"validate first\"",
	"deploy retrieve":   "relman deploy retrieve DR-0001 --wait 10m",
	"deploy deps":       "relman deploy deps DR-0001 --add-missing",
	"deploy validate":   "relman deploy validate DR-0001",
	"deploy run":        "relman deploy run DR-0001 --quick",
	"deploy resume":     "relman deploy resume DR-0001",
	"deploy cancel":     "relman deploy cancel DR-0001",
	"deploy abandon":    "relman deploy abandon DR-0001 --reason \"the job is gone from the org after its restart\"",
	"deploy show":       "relman deploy show DR-0001",
	"deploy log":        "relman deploy log DR-0001",
	"deploy list":       "relman deploy list --cr CR-0001",
	"rollback new":      "relman rollback new DR-0001 --component ApexClass:InvoiceService",
	"rollback submit":   "relman rollback submit RB-0001",
	"rollback approve":  "relman rollback approve RB-0001 --comment \"roll back now\"",
	"rollback reject":   "relman rollback reject RB-0001 --comment \"fix forward instead\"",
	"rollback run":      "relman rollback run RB-0001",
	"rollback show":     "relman rollback show RB-0001",
	"user add":          "relman user add bob --public-key ~/bob.pub --role approver",
	"user list":         "relman user list",
	"user show":         "relman user show bob",
	"user rm":           "relman user rm dave",
	"user key":          "relman user key add bob --public-key ~/bob-laptop.pub",
	"audit":             "relman audit --cr CR-0001 --format md",
	"audit export":      "relman audit export --dir audit-2025",
	"audit checkpoint":  "relman audit checkpoint > checkpoint-2025-03-14.txt",
	"sim":               "relman sim --dir testdata/orgs/production --kind production",
	"backup":            "relman backup ~/relman-2025-03-14.db",
	"compare":           "relman compare uat production --cr CR-0001 --ignore-whitespace",
	"diff":              "relman diff uat production ApexClass:InvoiceService",
	"monitor":           "relman monitor production --every 15m",
	"changes list":      "relman changes list --env production --status non-compliant --format md",
	"changes show":      "relman changes show CH-0002",
	"changes resolve":   "relman changes resolve CH-0002 --cr CR-0001 --note \"approved change, deployed by hand during the outage\"",
	"policy show":       "relman policy show",
	"policy set":        "relman policy set Automation full --approver carol",
	"policy type":       "relman policy type Flow Automation",
	"report compliance": "relman report compliance --from 2025-01-01 --to 2025-03-31",
	"rollback resume":   "relman rollback resume RB-0001",
	"rollback abandon":  "relman rollback abandon RB-0001 --reason \"job not in Deployment Status; checked with the admin\"",
}

// globalFlagsHelp says which flags every command takes, and where.
const globalFlagsHelp = "global flags, before or after the command: --store PATH, --identity KEYFILE, --user NAME, --json"

// isHelp reports whether an argument asks for help.
func isHelp(a string) bool { return a == "--help" || a == "-h" || a == "-help" }

// wantsHelp finds `CMD --help` (or -h) among a command's arguments, before
// any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelp(a) {
			return true
		}
	}
	return false
}

// Help is the help of the command named by args (`relman help cr list`):
// its usage, an example and the global flags; a group name (`cr`) lists the
// group's commands. ok is false when args name no command.
func Help(args []string) (string, bool) {
	return helpText(commands(), args)
}

func helpText(cmds map[string]command, args []string) (string, bool) {
	if name, _ := lookup(cmds, args); name != "" {
		return commandHelp(name, cmds[name]), true
	}
	if len(args) == 0 {
		return "", false
	}
	// A group: every command of it.
	group := groupOf(cmds, args[0])
	if len(group) == 0 {
		return "", false
	}
	return usageText(group) + "\n\n`relman help " + args[0] + " VERB` shows one with an example.\n", true
}

// groupOf is the commands of one group.
func groupOf(cmds map[string]command, group string) map[string]command {
	out := map[string]command{}
	for name, c := range cmds {
		if strings.HasPrefix(name, group+" ") {
			out[name] = c
		}
	}
	return out
}

// printHelp prints the help of the command args name, or says there is no
// such command and lists them all.
func printHelp(io IO, cmds map[string]command, args []string) int {
	text, ok := helpText(cmds, args)
	if !ok {
		return reportError(io, false, usageErr("help: no command %q\n%s", strings.Join(args, " "), usageText(cmds)))
	}
	fmt.Fprint(io.Out, text)
	return exitOK
}

// withoutHelp is args without its help flags.
func withoutHelp(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		if !isHelp(a) {
			out = append(out, a)
		}
	}
	return out
}

func commandHelp(name string, c command) string {
	return fmt.Sprintf("usage: relman %s\n\nexample:\n  %s\n\n%s\n", c.usage, examples[name], globalFlagsHelp)
}
