// The analysis of a script under its contract: every judgement the editor, the review check and the
// CLI make about a script lives here (the server only renders it).

export type { Severity, Edit, Fix, Finding } from './findings';
export { contractFix } from './findings';
export { analyzeScript, ignoredScriptFindings, walk } from './checker';
export type { ScriptAnalysis, CheckerOptions } from './checker';
export type { InferenceMemo } from './infer';
export { AnalysisInterrupted } from './infer';
export { isEnvironment, withoutEnvironment, longestHostPrefix, objectProperties, requiredFields, schemaTypes } from './paths';
export {
  literalText, requireUses, fileUses, modeNeed, accessAllows, contractFolder, moduleFile, moduleOfFile, declaredFileKey, moduleExports,
} from './modules';
export type { RequireUse, FileUse, FileNeed, ModuleField } from './modules';
export { scriptCapabilities, unusedHostFunctions } from './capabilities';
export type { Site, CapabilityUse, ScriptCapabilities, FileCapability } from './capabilities';
export { RULES, CAPABILITY_CHANGE_RULE, CODES, isKnownCode, defaultSeverityText, ruleFor, CONTRACT_CODES, UNGOVERNED_SCRIPTS, shownUngoverned } from './rules';
export { applySuppressions, suppressionFixes } from './suppress';
export { applySeverity, parseSeverityOption, isSeverityLevel, SEVERITY_LEVELS, FIXED_SEVERITY, LEFT_TO_LUALS } from './severity';
export type { SeverityLevel, SeverityMap } from './severity';
export type { Rule, UngovernedScripts } from './rules';
export { formatType, fieldsOf, UNKNOWN, NO_TYPES } from './types';
export type { Type, Param, TypeInfo } from './types';
export { readAnnotations } from './annotations';
export { typeFromNode, typeFromSchema } from './contract-types';
export type { Annotations, AnnotationIndex, Documentation } from './annotations';
