/** The hydrogen tank designer pack: its workflow, stages, decision points and data types. */
export { h2TankWorkflow, chosenDesign, MAX_COMPLIANCE_LOOPS } from './workflow.ts';
export { h2TankPack, H2_TANK_PACK_VERSION } from './pack.ts';
export { h2TankDecisionPoints } from './decisions/index.ts';
export { complianceGatePoint } from './decisions/compliance-gate.ts';
export * from './schemas.ts';
