package checks

// fakeDemo exists only to count the files a new check touches.
func fakeDemo() *Check {
	return &Check{
		ID:          "fake-demo",
		Title:       "Container named fake-demo",
		Severity:    Warning,
		Symptom:     CrashLoopBackOff,
		Description: "A container named fake-demo is reported; this check exists to count the files a new check touches.",
		Remediation: "Rename the container.",
		Bad:         "containers:\n- name: fake-demo\n  image: nginx:1.27\n",
		Good:        "containers:\n- name: app\n  image: nginx:1.27\n",
		Run: func(p *Pass) {
			for _, c := range p.Target.Containers() {
				if c.Container.Name == "fake-demo" {
					p.Report(c.Path.Child("name"), c.Container.Name, "container %q is named fake-demo", c.Container.Name)
				}
			}
		},
	}
}
