export { loadMapping, validateMappingFiles, type Mapping, type MappedEntity, type LoadMappingOptions } from './load-mapping.js';
export { mappingFileSchema, fieldSpecSchema, TRANSFORM_NAMES, type FieldSpec, type TransformSpec } from './mapping-schema.js';
