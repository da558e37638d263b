// What other modules and the CLI use of reporting: the measures, the yearly trusted-flagger
// report, the registration export and the transparency settings. The files behind it keep the
// SQL (store.ts) apart from the service functions, which check permissions per organisation.
export {
  buildRegistrationExport,
  csvCell,
  figuresCsv,
  type RegistrationExport,
  registrationCsv,
  registrationExport,
  toCsv,
} from "./exports.ts";
export {
  checkFilter,
  computeFigures,
  type Figures,
  figures,
  filterParties,
  type Measures,
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
