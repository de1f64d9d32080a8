// Public surface of the CSV import library (pure: no database, no HTTP). See README.md.
export { CUSTOM_PREFIX, LEAD_FIELDS, UnusableFileError } from './types';
export type {
  ColumnMapping,
  DateOrder,
  LeadField,
  LeadInput,
  Mapping,
  MappingTarget,
  RowError,
  UnusableFileReason,
} from './types';
export { detectEncoding, openDecoded, decodeText, type ByteSource, type TextEncodingName } from './decode';
export { detectDelimiter, notCsvReason, isProbablyNotCsv, type Delimiter } from './sniff';
export { autoMapHeaders, validateMapping, isMappingTarget, IDENTIFYING_RULE, type MappingValidation } from './mapping';
export { normaliseRow, FIELD_LIMITS, type NormaliseOptions, type NormalisedRow } from './rows';
export { parseDate, sniffDateOrder } from './dates';
export {
  parseImport,
  previewImport,
  type DateOrderDecision,
  type ImportBatch,
  type ImportedLead,
  type ImportFileInfo,
  type ImportPreview,
  type ParseImportOptions,
  type PreviewOptions,
} from './pipeline';
export { errorsToCsv, errorReportHeader, errorReportChunks, UTF8_BOM } from './report';
