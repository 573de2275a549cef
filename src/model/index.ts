export { loadModel, defaultModelFile, type Model, type EntityModel } from './model.js';
export { validateEntity, entityValidator, type EntityValidator } from './validate.js';
export { entityKey } from './entity-key.js';
export { modelFileSchema, FIELD_TYPES, type FieldModel, type FieldType } from './model-schema.js';
