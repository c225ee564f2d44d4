package checks

// Catalogue returns every check, in documentation order: the static checks
// (the object alone, plus the other inputs, decides), then the cluster-aware
// ones (a test holds that order). It is a function, not a package variable, so that no caller can
// mutate a shared list, and adding a check is one line here (no init()
// side effects). Each check's file holds its code and documentation;
// checks/testdata/<id>/ holds its fixtures.
func Catalogue() []*Check {
	return []*Check{
		// Static checks.
		memoryUnitMilli(),
		memoryUnitMissing(),
		memoryTooSmall(),
		cpuUnitMissing(),
		imageNameInvalid(),
		imagePullSecretMissing(),
		imagePullSecretWrongType(),
		probePortUndefined(),
		hostPortConflict(),
		schemaInvalid(),
		// Cluster-aware checks (Check.Cluster).
		nodeSelectorUnsatisfiable(),
		taintNotTolerated(),
		insufficientNodeResources(),
		nodePodCapacity(),
		imagePullSecretNotFound(),
		configMapNotFound(),
		configMapKeyNotFound(),
		secretNotFound(),
		secretKeyNotFound(),
		pvcNotFound(),
		pvcAccessModeConflict(),
		serviceAccountNotFound(),
		priorityClassNotFound(),
		runtimeClassNotFound(),
		storageClassNotFound(),
		topologySpreadUnsatisfiable(),
		podAffinityUnsatisfiable(),
		limitRangeViolation(),
		resourceQuotaViolation(),
		podSecurityViolation(),
	}
}

// Lookup returns the check with the given ID, or nil.
func Lookup(id string) *Check {
	for _, c := range Catalogue() {
		if c.ID == id {
			return c
		}
	}
	return nil
}
