// What other modules and the CLI use of reporting: the measures, the yearly trusted-flagger
// report, the registration export and the transparency settings. The files behind it keep the
// SQL (store.ts) apart from the service functions, which check permissions per organisation.
export {
  buildRegistrationExport,
  buildRegulatorYearly,
  csvCell,
  figuresCsv,
  type RegistrationExport,
  type RegulatorYearly,
  registrationCsv,
  registrationExport,
  regulatorYearly,
  regulatorYearlyCsv,
  toCsv,
} from "./exports.ts";
export {
  checkFilter,
  computeFigures,
  computeRegulatorFigures,
  type Figures,
  figures,
  filterParties,
  type Measures,
  type RegulatorFigures,
  type RegulatorMeasures,
} from "./measures.ts";
export { reportingOrganisations } from "./store.ts";
export {
  changeSettings,
  getSettings,
  publicTransparency,
  publishedOrganisations,
  SUPPRESS_BELOW,
  transparencyCsv,
} from "./transparency.ts";
export {
  buildTrustedFlaggerReport,
  type TrustedFlaggerDocument,
  type TrustedFlaggerReport,
  trustedFlaggerCsv,
  trustedFlaggerHtml,
  trustedFlaggerPdf,
  trustedFlaggerReport,
} from "./trusted-flagger.ts";
