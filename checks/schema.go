package checks

func schemaInvalid() *Check {
	return &Check{
		ID:        "schema-invalid",
		Title:     "Field the API server drops or rejects",
		Severity:  Error,
		Symptom:   Rejected,
		AnyObject: true,
		Description: `The object does not match its Kubernetes schema: an unknown or misspelled field (for example "imagePullSecret" or "livenessprobe"), a value of the wrong type, a quantity that does not parse, or a duplicate key. ` +
			`Depending on the client and the field validation mode, the API server either rejects the object, or silently drops the unknown field — the setting you wrote never takes effect, and the pod may fail later for a reason that looks unrelated. ` +
			`A duplicate key keeps only one of the two values; duplicates are reported in objects of any kind, custom resources included. The rest of the object is still checked as far as it decodes.`,
		Remediation: `Fix the field name, type or value at the reported line; the message suggests the field that was probably meant.`,
		Bad: `containers:
- name: app
  image: nginx:1.27
  imagePullSecret: regcred`,
		Good: `imagePullSecrets:
- name: regcred
containers:
- name: app
  image: nginx:1.27`,
		Run: func(p *Pass) {
			for _, is := range p.Target.Issues {
				sev := p.check.Severity
				if is.Harmless {
					sev = Warning
				}
				p.ReportAs(sev, nil, "", "%s", is.Message)
				f := &p.findings[len(p.findings)-1]
				f.Field = is.Field
				f.Line, f.Column = is.Line, is.Column
			}
		},
	}
}
