package model

import (
	"strings"

	"relman/model/metadata"
)

// categoryOfType pins the types whose category their name does not tell.
var categoryOfType = map[string]PolicyCategory{
	"ApexClass": CatCodeData, "ApexTrigger": CatCodeData, "ApexPage": CatCodeData, "ApexComponent": CatCodeData,
	"ApexTestSuite": CatCodeData, "CustomObject": CatCodeData, "CustomField": CatCodeData, "CustomMetadata": CatCodeData,
	"GlobalValueSet": CatCodeData, "StandardValueSet": CatCodeData, "RecordType": CatCodeData, "ValidationRule": CatCodeData,
	"CustomIndex": CatCodeData, "Index": CatCodeData, "BusinessProcess": CatCodeData, "FieldSet": CatCodeData,
	"CustomDataType": CatCodeData, "GlobalPicklist": CatCodeData, "CustomPermission": CatSharing,
	"Profile": CatSharing, "PermissionSet": CatSharing, "PermissionSetGroup": CatSharing, "MutingPermissionSet": CatSharing,
	"Role": CatSharing, "Group": CatSharing, "Queue": CatSharing, "Territory": CatSharing, "Territory2": CatSharing,
	"DelegateGroup": CatSharing, "ProfilePasswordPolicy": CatControl, "ProfileSessionSetting": CatControl,
	"ConnectedApp": CatIntegration, "NamedCredential": CatIntegration, "ExternalCredential": CatIntegration,
	"RemoteSiteSetting": CatIntegration, "CspTrustedSite": CatIntegration, "CorsWhitelistOrigin": CatIntegration,
	"AuthProvider": CatIntegration, "PlatformEventChannel": CatIntegration, "EmailServicesFunction": CatIntegration,
	"CustomLabel": CatDisplay, "CustomLabels": CatDisplay, "Layout": CatDisplay, "CompactLayout": CatDisplay,
	"ListView": CatDisplay, "WebLink": CatDisplay, "QuickAction": CatDisplay, "StaticResource": CatDisplay,
	"EmailTemplate": CatDisplay, "Letterhead": CatDisplay, "Document": CatDisplay, "Icon": CatDisplay,
	"Certificate": CatControl, "InboundCertificate": CatControl, "IPAddressRange": CatControl,
	"SharingRules": CatSharing, "SharingCriteriaRule": CatSharing, "SharingOwnerRule": CatSharing,
	"InstalledPackage": CatControl, "Report": CatAnalytics, "Dashboard": CatAnalytics, "ReportType": CatAnalytics,
	"AnalyticSnapshot": CatAnalytics, "Flow": CatAutomation, "FlowDefinition": CatAutomation,
	"Workflow": CatAutomation, "ApprovalProcess": CatAutomation, "AssignmentRules": CatAutomation,
	"AutoResponseRules": CatAutomation, "EscalationRules": CatAutomation, "DuplicateRule": CatAutomation,
	"MatchingRules": CatAutomation, "EntitlementProcess": CatAutomation,
}

// categoryHints map words in a type's name to a category, first match wins;
// the order puts the more telling words first ("SharingSettings" is about
// sharing, not configuration).
var categoryHints = []struct {
	word string
	cat  PolicyCategory
}{
	{"Sharing", CatSharing}, {"Permission", CatSharing}, {"Profile", CatSharing}, {"Role", CatSharing},
	{"Territory", CatSharing}, {"Visibility", CatSharing}, {"Audience", CatSharing},
	{"Security", CatControl}, {"Password", CatControl}, {"Session", CatControl}, {"Certificate", CatControl},
	{"Certif", CatControl}, {"Policy", CatControl}, {"Policies", CatControl}, {"Oauth", CatControl},
	{"Flow", CatAutomation}, {"Workflow", CatAutomation}, {"Trigger", CatAutomation}, {"Rule", CatAutomation},
	{"Process", CatAutomation}, {"Approval", CatAutomation}, {"Orch", CatAutomation}, {"Decision", CatAutomation},
	{"Expression", CatAutomation}, {"Bot", CatAutomation}, {"GenAi", CatAutomation}, {"AiAgent", CatAutomation},
	{"Apex", CatCodeData}, {"Object", CatCodeData}, {"Field", CatCodeData}, {"ValueSet", CatCodeData},
	{"Picklist", CatCodeData}, {"Index", CatCodeData}, {"Function", CatCodeData}, {"DataType", CatCodeData},
	{"Connect", CatIntegration}, {"Credential", CatIntegration}, {"External", CatIntegration}, {"Extl", CatIntegration},
	{"Integ", CatIntegration}, {"Event", CatIntegration}, {"Api", CatIntegration}, {"API", CatIntegration},
	{"DataSource", CatIntegration}, {"DataStream", CatIntegration}, {"MktData", CatIntegration}, {"Gateway", CatIntegration},
	{"Callout", CatIntegration}, {"Remote", CatIntegration}, {"Auth", CatIntegration}, {"Canvas", CatIntegration},
	{"Report", CatAnalytics}, {"Dashboard", CatAnalytics}, {"Analytic", CatAnalytics}, {"Wave", CatAnalytics},
	{"Insight", CatAnalytics}, {"Forecast", CatAnalytics}, {"Discovery", CatAnalytics}, {"Calc", CatAnalytics},
	{"Layout", CatDisplay}, {"Lightning", CatDisplay}, {"Page", CatDisplay}, {"Tab", CatDisplay}, {"Theme", CatDisplay},
	{"Brand", CatDisplay}, {"Label", CatDisplay}, {"Translation", CatDisplay}, {"Aura", CatDisplay},
	{"Application", CatDisplay}, {"App", CatDisplay}, {"Experience", CatDisplay}, {"Site", CatDisplay},
	{"Community", CatDisplay}, {"Network", CatDisplay}, {"Template", CatDisplay}, {"Navigation", CatDisplay},
	{"Menu", CatDisplay}, {"Card", CatDisplay}, {"Ui", CatDisplay}, {"Icon", CatDisplay}, {"Document", CatDisplay},
	{"Content", CatDisplay}, {"Email", CatDisplay}, {"Form", CatDisplay}, {"View", CatDisplay},
	{"Settings", CatConfiguration}, {"Setting", CatConfiguration}, {"Config", CatConfiguration}, {"Cnfg", CatConfiguration},
	{"Definition", CatConfiguration}, {"Def", CatConfiguration}, {"Setup", CatConfiguration},
}

// DefaultCategory is the category of a metadata type when no policy
// overrides it: pinned for the well-known types, otherwise told by a word
// in its name; a type whose name says nothing, or that relman does not know,
// is Uncategorized. Folder types take the category of what they hold.
func DefaultCategory(typeName string) PolicyCategory {
	if c, ok := categoryOfType[typeName]; ok {
		return c
	}
	if t, ok := metadata.LookupType(typeName); ok && t.FolderContentType != "" {
		return DefaultCategory(t.FolderContentType)
	}
	for _, h := range categoryHints {
		if strings.Contains(typeName, h.word) {
			return h.cat
		}
	}
	return CatUncategorized
}
