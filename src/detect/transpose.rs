//! The detector's network with height and width swapped, so portrait pictures run as fast as
//! landscape ones.
//!
//! tract walks a depth-wise convolution along the longer side of the feature map and
//! vectorises it only when that side is the contiguous one, the width in the model's
//! `[1, 3, H, W]` layout. On a portrait input every depth-wise layer fell back to a scalar
//! loop: a 480×640 pass took 132.6 ms against 101.3 ms for 640×480 (`cargo bench --bench
//! stages -- detector`). Phone photos are often portrait, and the search's tiles of a
//! landscape photo were too (512×576 on a 12-MP photo's finest level).
//!
//! A convolution of a transposed picture with transposed kernels — and strides, pads and
//! dilations swapped — is the transpose of the original convolution, and element-wise layers
//! do not care about layout. So the network rewritten that way, run on the transposed picture,
//! computes the original network's outputs, transposed: landscape in memory, the same values
//! up to the order tract sums them in. The rewrite only covers networks made of such layers
//! (CenterFace is: Conv, ConvTranspose, BatchNormalization, Relu, Add, Sigmoid); any other
//! network keeps running as it is.

use tract_onnx::pb::type_proto::Value;
use tract_onnx::pb::{tensor_proto::DataType, AttributeProto, ModelProto, TensorProto};

/// Layers that treat height and width alike once the attributes below are swapped.
const SPATIAL: [&str; 2] = ["Conv", "ConvTranspose"];
/// Layers that act on each value, or each channel, whatever the layout.
const ELEMENT_WISE: [&str; 9] =
    ["Relu", "Add", "Mul", "Sub", "Sigmoid", "Clip", "LeakyRelu", "BatchNormalization", "Identity"];

/// `model` with every convolution's kernel transposed and its height and width attributes
/// swapped, or `None` when it has a layer this rewrite does not cover.
pub(super) fn transposed(model: &ModelProto) -> Option<ModelProto> {
    let mut model = model.clone();
    let graph = model.graph.as_mut()?;
    let mut kernels = std::collections::HashSet::new();
    for node in &mut graph.node {
        if ELEMENT_WISE.contains(&node.op_type.as_str()) {
            continue;
        }
        if !SPATIAL.contains(&node.op_type.as_str()) || !node.domain.is_empty() {
            return None;
        }
        for attribute in &mut node.attribute {
            swap_axes(attribute)?;
        }
        let name = node.input.get(1)?;
        // A kernel two layers share is transposed once.
        if kernels.insert(name.clone()) {
            transpose_kernel(graph.initializer.iter_mut().find(|t| &t.name == name)?)?;
        }
    }
    // Older files also declare every kernel as a graph input, with its shape.
    for input in graph.input.iter_mut().filter(|i| kernels.contains(&i.name)) {
        if let Some(Value::TensorType(tensor)) = input.r#type.as_mut().and_then(|t| t.value.as_mut()) {
            let dims = &mut tensor.shape.as_mut()?.dim;
            if dims.len() != 4 {
                return None;
            }
            dims.swap(2, 3);
        }
    }
    Some(model)
}

/// Swaps the height and width entries of one convolution attribute.
fn swap_axes(attribute: &mut AttributeProto) -> Option<()> {
    let ints = &mut attribute.ints;
    match attribute.name.as_str() {
        "group" | "auto_pad" => {}
        "kernel_shape" | "strides" | "dilations" | "output_padding" | "output_shape" if ints.len() == 2 => {
            ints.swap(0, 1)
        }
        // Begins of both axes, then ends: [top, left, bottom, right].
        "pads" if ints.len() == 4 => {
            ints.swap(0, 1);
            ints.swap(2, 3);
        }
        _ => return None,
    }
    Some(())
}

/// Transposes the last two axes (kernel height and width) of a 4-D `f32` kernel in place.
fn transpose_kernel(kernel: &mut TensorProto) -> Option<()> {
    let &[outer_a, outer_b, kh, kw] = kernel.dims.as_slice() else { return None };
    if kernel.data_type != DataType::Float as i32 {
        return None;
    }
    let plane = usize::try_from(kh * kw).ok()?;
    let planes = usize::try_from(outer_a * outer_b).ok()?;
    let (kh, kw) = (usize::try_from(kh).ok()?, usize::try_from(kw).ok()?);
    let mut values: Vec<f32> = if kernel.raw_data.is_empty() {
        std::mem::take(&mut kernel.float_data)
    } else {
        kernel.raw_data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
    };
    if values.len() != plane * planes {
        return None;
    }
    for taps in values.chunks_exact_mut(plane) {
        let original = taps.to_vec();
        for (y, row) in original.chunks_exact(kw).enumerate() {
            for (x, &tap) in row.iter().enumerate() {
                taps[x * kh + y] = tap;
            }
        }
    }
    kernel.dims.swap(2, 3);
    if kernel.raw_data.is_empty() {
        kernel.float_data = values;
    } else {
        kernel.raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tract_onnx::pb::NodeProto;

    fn kernel(dims: [i64; 4], values: Vec<f32>) -> TensorProto {
        TensorProto {
            name: "w".into(),
            dims: dims.to_vec(),
            data_type: DataType::Float as i32,
            raw_data: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ..TensorProto::default()
        }
    }

    fn ints(name: &str, values: &[i64]) -> AttributeProto {
        AttributeProto { name: name.into(), ints: values.to_vec(), ..AttributeProto::default() }
    }

    fn one_layer(op_type: &str, attribute: Vec<AttributeProto>) -> ModelProto {
        let node = NodeProto {
            op_type: op_type.into(),
            input: vec!["x".into(), "w".into()],
            attribute,
            ..NodeProto::default()
        };
        let graph = tract_onnx::pb::GraphProto {
            node: vec![node],
            initializer: vec![kernel([1, 1, 2, 3], vec![1., 2., 3., 4., 5., 6.])],
            ..Default::default()
        };
        ModelProto { graph: Some(graph), ..ModelProto::default() }
    }

    #[test]
    fn a_convolution_gets_its_kernel_and_attributes_transposed() {
        let model = one_layer(
            "Conv",
            vec![ints("kernel_shape", &[2, 3]), ints("strides", &[1, 2]), ints("pads", &[0, 1, 1, 0])],
        );
        let rewritten = transposed(&model).expect("a plain convolution is covered");
        let graph = rewritten.graph.unwrap();
        let attribute =
            |name: &str| graph.node[0].attribute.iter().find(|a| a.name == name).unwrap().ints.clone();
        assert_eq!(attribute("kernel_shape"), [3, 2]);
        assert_eq!(attribute("strides"), [2, 1]);
        assert_eq!(attribute("pads"), [1, 0, 0, 1]);
        let w = &graph.initializer[0];
        assert_eq!(w.dims, [1, 1, 3, 2]);
        let values: Vec<f32> =
            w.raw_data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        assert_eq!(values, [1., 4., 2., 5., 3., 6.]);
    }

    #[test]
    fn a_network_with_a_layer_that_mixes_axes_is_left_alone() {
        assert!(transposed(&one_layer("Reshape", vec![])).is_none());
        assert!(transposed(&one_layer("Conv", vec![ints("kernel_shape", &[1, 2, 3])])).is_none());
    }
}
