//! The normalized model as YAML.
use crate::compose::model::Project;

pub fn to_yaml(project: &Project) -> String {
    let _ = project;
    todo!()
}
