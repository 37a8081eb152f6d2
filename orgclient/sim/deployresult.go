package sim

// The DeployResult family, fields in WSDL order (§2.7). The same values are
// sent as SOAP XML and, through the json tags, as the REST deployRequest
// JSON (§2.10): optional fields are omitted in XML and explicit nulls in
// JSON; lists are empty arrays in JSON.

// deployOptions is DeployOptions (§2.6); the JSON form is what the REST
// resource echoes.
type deployOptions struct {
	AllowMissingFiles bool     `json:"allowMissingFiles"`
	AutoUpdatePackage bool     `json:"autoUpdatePackage"`
	CheckOnly         bool     `json:"checkOnly"`
	IgnoreWarnings    bool     `json:"ignoreWarnings"`
	PerformRetrieve   bool     `json:"performRetrieve"`
	PurgeOnDelete     bool     `json:"purgeOnDelete"`
	RollbackOnError   bool     `json:"rollbackOnError"`
	RunTests          []string `json:"runTests"`
	SinglePackage     bool     `json:"singlePackage"`
	TestLevel         string   `json:"testLevel"`
}

// deployResult is DeployResult.
type deployResult struct {
	CanceledBy               *string       `xml:"canceledBy,omitempty" json:"canceledBy"`
	CanceledByName           *string       `xml:"canceledByName,omitempty" json:"canceledByName"`
	CheckOnly                bool          `xml:"checkOnly" json:"checkOnly"`
	CompletedDate            *sfTime       `xml:"completedDate,omitempty" json:"completedDate"`
	CreatedBy                string        `xml:"createdBy" json:"createdBy"`
	CreatedByName            string        `xml:"createdByName" json:"createdByName"`
	CreatedDate              sfTime        `xml:"createdDate" json:"createdDate"`
	Details                  deployDetails `xml:"details" json:"details"`
	Done                     bool          `xml:"done" json:"done"`
	ErrorMessage             *string       `xml:"errorMessage,omitempty" json:"errorMessage"`
	ErrorStatusCode          *string       `xml:"errorStatusCode,omitempty" json:"errorStatusCode"`
	ID                       string        `xml:"id" json:"id"`
	IgnoreWarnings           bool          `xml:"ignoreWarnings" json:"ignoreWarnings"`
	LastModifiedDate         *sfTime       `xml:"lastModifiedDate,omitempty" json:"lastModifiedDate"`
	NumberComponentErrors    int           `xml:"numberComponentErrors" json:"numberComponentErrors"`
	NumberComponentsDeployed int           `xml:"numberComponentsDeployed" json:"numberComponentsDeployed"`
	NumberComponentsTotal    int           `xml:"numberComponentsTotal" json:"numberComponentsTotal"`
	NumberTestErrors         int           `xml:"numberTestErrors" json:"numberTestErrors"`
	NumberTestsCompleted     int           `xml:"numberTestsCompleted" json:"numberTestsCompleted"`
	NumberTestsTotal         int           `xml:"numberTestsTotal" json:"numberTestsTotal"`
	RollbackOnError          bool          `xml:"rollbackOnError" json:"rollbackOnError"`
	RunTestsEnabled          bool          `xml:"runTestsEnabled" json:"runTestsEnabled"`
	StartDate                *sfTime       `xml:"startDate,omitempty" json:"startDate"`
	StateDetail              *string       `xml:"stateDetail,omitempty" json:"stateDetail"`
	Status                   string        `xml:"status" json:"status"`
	Success                  bool          `xml:"success" json:"success"`
}

// deployDetails is DeployDetails. AllComponentMessages appears only in the
// REST form, as a real org's JSON has it (§2.10).
type deployDetails struct {
	AllComponentMessages []deployMessage `xml:"-" json:"allComponentMessages"`
	ComponentFailures    []deployMessage `xml:"componentFailures" json:"componentFailures"`
	ComponentSuccesses   []deployMessage `xml:"componentSuccesses" json:"componentSuccesses"`
	RunTestResult        runTestsResult  `xml:"runTestResult" json:"runTestResult"`
}

// deployMessage is DeployMessage: one component's outcome.
type deployMessage struct {
	Changed                bool    `xml:"changed" json:"changed"`
	ColumnNumber           *int    `xml:"columnNumber,omitempty" json:"columnNumber"`
	ComponentType          string  `xml:"componentType" json:"componentType"`
	Created                bool    `xml:"created" json:"created"`
	CreatedDate            sfTime  `xml:"createdDate" json:"createdDate"`
	Deleted                bool    `xml:"deleted" json:"deleted"`
	FileName               string  `xml:"fileName" json:"fileName"`
	FullName               string  `xml:"fullName" json:"fullName"`
	ID                     *string `xml:"id,omitempty" json:"id"`
	LineNumber             *int    `xml:"lineNumber,omitempty" json:"lineNumber"`
	Problem                *string `xml:"problem,omitempty" json:"problem"`
	ProblemType            *string `xml:"problemType,omitempty" json:"problemType"`
	Success                bool    `xml:"success" json:"success"`
	ForPackageManifestFile bool    `xml:"-" json:"forPackageManifestFile"`
}

// runTestsResult is RunTestsResult; coverage comes from coverage.go.
type runTestsResult struct {
	CodeCoverage         []codeCoverageResult  `xml:"codeCoverage" json:"codeCoverage"`
	CodeCoverageWarnings []codeCoverageWarning `xml:"codeCoverageWarnings" json:"codeCoverageWarnings"`
	Failures             []runTestFailure      `xml:"failures" json:"failures"`
	NumFailures          int                   `xml:"numFailures" json:"numFailures"`
	NumTestsRun          int                   `xml:"numTestsRun" json:"numTestsRun"`
	Successes            []runTestSuccess      `xml:"successes" json:"successes"`
	TotalTime            double                `xml:"totalTime" json:"totalTime"`
}

// runTestFailure is RunTestFailure.
type runTestFailure struct {
	ID          string `xml:"id" json:"id"`
	Message     string `xml:"message" json:"message"`
	MethodName  string `xml:"methodName" json:"methodName"`
	Name        string `xml:"name" json:"name"`
	Namespace   xsiNil `xml:"namespace" json:"namespace"`
	PackageName string `xml:"packageName" json:"packageName"`
	StackTrace  string `xml:"stackTrace" json:"stackTrace"`
	Time        double `xml:"time" json:"time"`
	Type        string `xml:"type" json:"type"`
}

// runTestSuccess is RunTestSuccess.
type runTestSuccess struct {
	ID         string `xml:"id" json:"id"`
	MethodName string `xml:"methodName" json:"methodName"`
	Name       string `xml:"name" json:"name"`
	Namespace  xsiNil `xml:"namespace" json:"namespace"`
	Time       double `xml:"time" json:"time"`
}

// cancelDeployResult is CancelDeployResult (§2.8).
type cancelDeployResult struct {
	Done bool   `xml:"done"`
	ID   string `xml:"id"`
}

// codeCoverageResult is CodeCoverageResult: one class or trigger's
// coverage (§2.7). The per-method, DML and SOQL details are not simulated.
type codeCoverageResult struct {
	DMLInfo                []struct{}     `xml:"dmlInfo" json:"dmlInfo"`
	ID                     string         `xml:"id" json:"id"`
	LocationsNotCovered    []codeLocation `xml:"locationsNotCovered" json:"locationsNotCovered"`
	MethodInfo             []struct{}     `xml:"methodInfo" json:"methodInfo"`
	Name                   string         `xml:"name" json:"name"`
	Namespace              xsiNil         `xml:"namespace" json:"namespace"`
	NumLocations           int            `xml:"numLocations" json:"numLocations"`
	NumLocationsNotCovered int            `xml:"numLocationsNotCovered" json:"numLocationsNotCovered"`
	SOQLInfo               []struct{}     `xml:"soqlInfo" json:"soqlInfo"`
	SOSLInfo               []struct{}     `xml:"soslInfo" json:"soslInfo"`
	Type                   string         `xml:"type" json:"type"`
}

// codeLocation is CodeLocation: a line no test executed.
type codeLocation struct {
	Column        int    `xml:"column" json:"column"`
	Line          int    `xml:"line" json:"line"`
	NumExecutions int    `xml:"numExecutions" json:"numExecutions"`
	Time          double `xml:"time" json:"time"`
}

// codeCoverageWarning is CodeCoverageWarning: a coverage rule not met.
// Name is empty (nil on the wire) for the org-wide warning.
type codeCoverageWarning struct {
	ID        string     `xml:"id" json:"id"`
	Message   string     `xml:"message" json:"message"`
	Name      nillableID `xml:"name" json:"name"`
	Namespace xsiNil     `xml:"namespace" json:"namespace"`
}
