package io.sparkgemm.ml.connect;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.spark.connect.proto.Command;
import org.apache.spark.connect.proto.DataType;
import org.apache.spark.connect.proto.ExecutePlanRequest;
import org.apache.spark.connect.proto.ExecutePlanResponse;
import org.apache.spark.connect.proto.Expression;
import org.apache.spark.connect.proto.MlCommand;
import org.apache.spark.connect.proto.MlCommandResult;
import org.apache.spark.connect.proto.Plan;
import org.apache.spark.connect.proto.Project;
import org.apache.spark.connect.proto.Relation;
import org.apache.spark.connect.proto.SQL;
import org.apache.spark.connect.proto.SparkConnectServiceGrpc;
import org.apache.spark.connect.proto.UserContext;
import org.sparkproject.connect.grpc.ManagedChannel;
import org.sparkproject.connect.grpc.ManagedChannelBuilder;

/**
 * A Spark Connect client reduced to what a PySpark ML client sends: one session, ExecutePlan
 * requests carrying either an ML command or a relation, and Arrow batches read back. Built on
 * the protocol classes and the gRPC stubs that the server jar carries (shaded as it ships them).
 */
final class ConnectClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final SparkConnectServiceGrpc.SparkConnectServiceBlockingStub stub;
  private final String sessionId = UUID.randomUUID().toString();

  ConnectClient(String host, int port) {
    channel = ManagedChannelBuilder.forAddress(host, port).usePlaintext().build();
    stub = SparkConnectServiceGrpc.newBlockingStub(channel);
  }

  private List<ExecutePlanResponse> execute(Plan plan) {
    ExecutePlanRequest request = ExecutePlanRequest.newBuilder().setSessionId(sessionId)
        .setUserContext(UserContext.newBuilder().setUserId("spark-gemm-test")).setPlan(plan)
        .build();
    List<ExecutePlanResponse> responses = new ArrayList<>();
    Iterator<ExecutePlanResponse> stream = stub.executePlan(request);
    stream.forEachRemaining(responses::add);
    return responses;
  }

  /** Runs one ML command (Fit, Fetch, Write, Read, ...) and returns its result. */
  MlCommandResult ml(MlCommand command) {
    Plan plan = Plan.newBuilder().setCommand(Command.newBuilder().setMlCommand(command)).build();
    return execute(plan).stream().filter(ExecutePlanResponse::hasMlCommandResult)
        .map(ExecutePlanResponse::getMlCommandResult).findFirst()
        .orElseThrow(() -> new IllegalStateException("no ML command result for " + command));
  }

  /** Collects a relation as the client does (Arrow IPC batches): column name to values. */
  Map<String, List<Object>> collect(Relation relation) {
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      for (ExecutePlanResponse response : execute(Plan.newBuilder().setRoot(relation).build())) {
        if (response.hasArrowBatch()) {
          read(response.getArrowBatch().getData().toByteArray(), allocator, columns);
        }
      }
    }
    return columns;
  }

  private static void read(byte[] ipc, BufferAllocator allocator,
      Map<String, List<Object>> columns) {
    try (ArrowStreamReader reader =
        new ArrowStreamReader(new ByteArrayInputStream(ipc), allocator)) {
      while (reader.loadNextBatch()) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        for (FieldVector vector : root.getFieldVectors()) {
          List<Object> values = columns.computeIfAbsent(vector.getName(), n -> new ArrayList<>());
          for (int r = 0; r < root.getRowCount(); r++) {
            values.add(vector.getObject(r));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Relation sql(String query) {
    return Relation.newBuilder().setSql(SQL.newBuilder().setQuery(query)).build();
  }

  static Relation project(Relation input, Expression... expressions) {
    Project.Builder project = Project.newBuilder().setInput(input);
    for (Expression e : expressions) {
      project.addExpressions(e);
    }
    return Relation.newBuilder().setProject(project).build();
  }

  static Expression column(String name) {
    return Expression.newBuilder().setUnresolvedAttribute(
        Expression.UnresolvedAttribute.newBuilder().setUnparsedIdentifier(name)).build();
  }

  /**
   * One of the functions Spark ML registers as internal (array_to_vector, vector_to_array),
   * called as pyspark.ml.functions does over Connect.
   */
  static Expression internal(String function, String alias, Expression... arguments) {
    Expression.UnresolvedFunction.Builder call = Expression.UnresolvedFunction.newBuilder()
        .setFunctionName(function).setIsInternal(true);
    for (Expression a : arguments) {
      call.addArguments(a);
    }
    return Expression.newBuilder().setAlias(Expression.Alias.newBuilder()
        .setExpr(Expression.newBuilder().setUnresolvedFunction(call)).addName(alias)).build();
  }

  static Expression literal(Expression.Literal value) {
    return Expression.newBuilder().setLiteral(value).build();
  }

  static Expression.Literal of(String value) {
    return Expression.Literal.newBuilder().setString(value).build();
  }

  static Expression.Literal of(int value) {
    return Expression.Literal.newBuilder().setInteger(value).build();
  }

  static Expression.Literal of(double value) {
    return Expression.Literal.newBuilder().setDouble(value).build();
  }

  /** A Python list of ints, as the client sends it: an array literal with its data type. */
  static Expression.Literal of(int... values) {
    Expression.Literal.Array.Builder array = Expression.Literal.Array.newBuilder();
    for (int v : values) {
      array.addElements(of(v));
    }
    DataType ints = DataType.newBuilder().setArray(DataType.Array.newBuilder()
        .setElementType(DataType.newBuilder().setInteger(DataType.Integer.getDefaultInstance()))
        .setContainsNull(false)).build();
    return Expression.Literal.newBuilder().setArray(array).setDataType(ints).build();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }
}
