<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode: customs declaration, international -> domestic.

  Input:  md:MetaData wrapping a WCO Data Model 3.6 Declaration (DEC-DMS:2),
          valid against international.xsd.
  Output: cd:CustomsDeclaration (urn:swnode:domestic:customs-declaration:1),
          valid against domestic.xsd.

  A pure function of the input: no parameters, no dates, no extensions.
  Values are whitespace-normalised and country codes upper-cased.  What the
  domestic profile does not carry is dropped; the list is in
  docs/doctypes/customs-declaration.md ("Limitations").
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns:w="urn:wco:datamodel:WCO:DEC-DMS:2"
    xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2"
    xmlns="urn:swnode:domestic:customs-declaration:1"
    exclude-result-prefixes="md w p1">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>

  <xsl:template match="/">
    <xsl:if test="not(md:MetaData/w:Declaration)">
      <xsl:message terminate="yes">to-domestic: expected md:MetaData (urn:wco:datamodel:WCO:DocumentMetaData-DMS:2) containing a DEC-DMS:2 Declaration</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="md:MetaData"/>
  </xsl:template>

  <!-- ============================== header ============================ -->

  <xsl:template match="md:MetaData">
    <xsl:variable name="d" select="w:Declaration"/>
    <xsl:variable name="gs" select="$d/w:GoodsShipment"/>
    <CustomsDeclaration>
      <ResponsibleCountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="md:ResponsibleCountryCode"/></xsl:call-template></ResponsibleCountryCode>
      <ResponsibleAgencyName><xsl:value-of select="normalize-space(md:ResponsibleAgencyName)"/></ResponsibleAgencyName>
      <xsl:for-each select="md:AgencyAssignedCustomizationVersionCode">
        <CustomizationVersionCode><xsl:value-of select="normalize-space(.)"/></CustomizationVersionCode>
      </xsl:for-each>
      <FunctionCode><xsl:value-of select="normalize-space($d/w:FunctionCode)"/></FunctionCode>
      <FunctionalReference><xsl:value-of select="normalize-space($d/w:FunctionalReferenceID)"/></FunctionalReference>
      <DeclarationTypeCode><xsl:value-of select="normalize-space($d/w:TypeCode)"/></DeclarationTypeCode>
      <xsl:for-each select="$gs/w:ExitDateTime/p1:DateTimeString">
        <xsl:variable name="s" select="normalize-space(.)"/>
        <DepartureDate><xsl:value-of select="concat(substring($s, 1, 4), '-', substring($s, 5, 2), '-', substring($s, 7, 2))"/></DepartureDate>
      </xsl:for-each>
      <GoodsItemQuantity><xsl:value-of select="normalize-space($d/w:GoodsItemQuantity)"/></GoodsItemQuantity>
      <xsl:for-each select="$d/w:TotalPackageQuantity">
        <TotalPackageQuantity><xsl:value-of select="normalize-space(.)"/></TotalPackageQuantity>
      </xsl:for-each>
      <xsl:for-each select="$d/w:InvoiceAmount">
        <InvoiceAmount currency="{normalize-space(@currencyID)}"><xsl:value-of select="normalize-space(.)"/></InvoiceAmount>
      </xsl:for-each>

      <!-- parties -->
      <Declarant>
        <Id><xsl:value-of select="normalize-space($d/w:Declarant/w:ID)"/></Id>
        <xsl:for-each select="$d/w:Declarant/w:Name">
          <Name><xsl:value-of select="normalize-space(.)"/></Name>
        </xsl:for-each>
      </Declarant>
      <xsl:for-each select="$d/w:Agent">
        <Agent>
          <xsl:call-template name="party"/>
          <xsl:for-each select="w:FunctionCode">
            <StatusCode><xsl:value-of select="normalize-space(.)"/></StatusCode>
          </xsl:for-each>
        </Agent>
      </xsl:for-each>
      <xsl:for-each select="$d/w:Exporter">
        <Exporter><xsl:call-template name="party"/></Exporter>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Importer">
        <Importer><xsl:call-template name="party"/></Importer>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Consignee">
        <Consignee>
          <xsl:call-template name="party"/>
          <xsl:for-each select="w:Address">
            <Address>
              <Line><xsl:value-of select="normalize-space(w:Line)"/></Line>
              <CityName><xsl:value-of select="normalize-space(w:CityName)"/></CityName>
              <xsl:for-each select="w:PostcodeID">
                <PostcodeId><xsl:value-of select="normalize-space(.)"/></PostcodeId>
              </xsl:for-each>
              <CountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="w:CountryCode"/></xsl:call-template></CountryCode>
            </Address>
          </xsl:for-each>
        </Consignee>
      </xsl:for-each>
      <xsl:for-each select="$d/w:Consignment/w:Carrier">
        <Carrier><xsl:call-template name="party"/></Carrier>
      </xsl:for-each>
      <xsl:for-each select="$d/w:AuthorisationHolder">
        <AuthorisationHolder>
          <Id><xsl:value-of select="normalize-space(w:ID)"/></Id>
          <CategoryCode><xsl:value-of select="normalize-space(w:CategoryCode)"/></CategoryCode>
        </AuthorisationHolder>
      </xsl:for-each>

      <!-- offices and countries -->
      <xsl:for-each select="$d/w:ExitOffice/w:ID">
        <ExitOfficeId><xsl:value-of select="normalize-space(.)"/></ExitOfficeId>
      </xsl:for-each>
      <xsl:for-each select="$d/w:PresentationOffice/w:ID">
        <EntryOfficeId><xsl:value-of select="normalize-space(.)"/></EntryOfficeId>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:ExportCountry/w:ID">
        <ExportCountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="."/></xsl:call-template></ExportCountryCode>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Destination/w:CountryCode">
        <DestinationCountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="."/></xsl:call-template></DestinationCountryCode>
      </xsl:for-each>

      <!-- transport -->
      <xsl:for-each select="$d/w:BorderTransportMeans">
        <BorderTransportMeans>
          <xsl:for-each select="w:ID">
            <Id><xsl:value-of select="normalize-space(.)"/></Id>
          </xsl:for-each>
          <xsl:for-each select="w:IdentificationTypeCode">
            <IdentificationTypeCode><xsl:value-of select="normalize-space(.)"/></IdentificationTypeCode>
          </xsl:for-each>
          <xsl:for-each select="w:RegistrationNationalityCode">
            <NationalityCode><xsl:call-template name="country"><xsl:with-param name="code" select="."/></xsl:call-template></NationalityCode>
          </xsl:for-each>
          <ModeCode><xsl:value-of select="normalize-space(w:ModeCode)"/></ModeCode>
        </BorderTransportMeans>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Consignment/w:DepartureTransportMeans">
        <DepartureTransportMeans>
          <Id><xsl:value-of select="normalize-space(w:ID)"/></Id>
          <xsl:for-each select="w:IdentificationTypeCode">
            <IdentificationTypeCode><xsl:value-of select="normalize-space(.)"/></IdentificationTypeCode>
          </xsl:for-each>
          <xsl:for-each select="w:ModeCode">
            <ModeCode><xsl:value-of select="normalize-space(.)"/></ModeCode>
          </xsl:for-each>
        </DepartureTransportMeans>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Consignment/w:ContainerCode">
        <Containerised>
          <xsl:choose>
            <xsl:when test="normalize-space(.) = '1'">true</xsl:when>
            <xsl:otherwise>false</xsl:otherwise>
          </xsl:choose>
        </Containerised>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Consignment/w:LoadingLocation/w:ID">
        <LoadingPort><xsl:value-of select="normalize-space(.)"/></LoadingPort>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Consignment/w:GoodsLocation">
        <GoodsLocation>
          <xsl:for-each select="w:Name">
            <Name><xsl:value-of select="normalize-space(.)"/></Name>
          </xsl:for-each>
          <xsl:for-each select="w:ID">
            <Id><xsl:value-of select="normalize-space(.)"/></Id>
          </xsl:for-each>
          <xsl:for-each select="w:TypeCode">
            <TypeCode><xsl:value-of select="normalize-space(.)"/></TypeCode>
          </xsl:for-each>
          <xsl:for-each select="w:Address/w:TypeCode">
            <QualifierCode><xsl:value-of select="normalize-space(.)"/></QualifierCode>
          </xsl:for-each>
          <xsl:for-each select="w:Address/w:CountryCode">
            <CountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="."/></xsl:call-template></CountryCode>
          </xsl:for-each>
        </GoodsLocation>
      </xsl:for-each>
      <xsl:for-each select="$d/w:Consignment/w:Itinerary">
        <RoutingCountry>
          <SequenceNumber><xsl:value-of select="normalize-space(w:SequenceNumeric)"/></SequenceNumber>
          <CountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="w:RoutingCountryCode"/></xsl:call-template></CountryCode>
        </RoutingCountry>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Consignment/w:TransportEquipment">
        <Container>
          <SequenceNumber><xsl:value-of select="normalize-space(w:SequenceNumeric)"/></SequenceNumber>
          <Id><xsl:value-of select="normalize-space(w:ID)"/></Id>
          <xsl:for-each select="w:Seal">
            <Seal>
              <SequenceNumber><xsl:value-of select="normalize-space(w:SequenceNumeric)"/></SequenceNumber>
              <Id><xsl:value-of select="normalize-space(w:ID)"/></Id>
            </Seal>
          </xsl:for-each>
        </Container>
      </xsl:for-each>
      <xsl:for-each select="$d/w:Consignment/w:Freight/w:PaymentMethodCode">
        <FreightPaymentMethodCode><xsl:value-of select="normalize-space(.)"/></FreightPaymentMethodCode>
      </xsl:for-each>

      <!-- references, statements, goods -->
      <xsl:apply-templates select="$gs/w:PreviousDocument"/>
      <xsl:apply-templates select="$d/w:AdditionalInformation"/>
      <xsl:apply-templates select="$gs/w:GovernmentAgencyGoodsItem"/>
    </CustomsDeclaration>
  </xsl:template>

  <!-- Id then Name; the context is a WCO party (Name, ID). -->
  <xsl:template name="party">
    <xsl:for-each select="w:ID">
      <Id><xsl:value-of select="normalize-space(.)"/></Id>
    </xsl:for-each>
    <xsl:for-each select="w:Name">
      <Name><xsl:value-of select="normalize-space(.)"/></Name>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="country">
    <xsl:param name="code"/>
    <xsl:value-of select="translate(normalize-space($code), $lower, $upper)"/>
  </xsl:template>

  <!-- ============================== goods item ======================== -->

  <xsl:template match="w:GovernmentAgencyGoodsItem">
    <xsl:variable name="measure" select="w:Commodity/w:GoodsMeasure"/>
    <GoodsItem>
      <SequenceNumber><xsl:value-of select="normalize-space(w:SequenceNumeric)"/></SequenceNumber>
      <Description><xsl:value-of select="normalize-space(w:Commodity/w:Description)"/></Description>
      <xsl:for-each select="w:Commodity/w:Classification">
        <Classification>
          <Code><xsl:value-of select="normalize-space(w:ID)"/></Code>
          <TypeCode><xsl:value-of select="normalize-space(w:IdentificationTypeCode)"/></TypeCode>
        </Classification>
      </xsl:for-each>
      <xsl:for-each select="w:Origin[1]/w:CountryCode">
        <OriginCountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="."/></xsl:call-template></OriginCountryCode>
      </xsl:for-each>
      <xsl:for-each select="w:Destination/w:CountryCode">
        <DestinationCountryCode><xsl:call-template name="country"><xsl:with-param name="code" select="."/></xsl:call-template></DestinationCountryCode>
      </xsl:for-each>
      <xsl:for-each select="w:TransactionNatureCode">
        <TransactionNatureCode><xsl:value-of select="normalize-space(.)"/></TransactionNatureCode>
      </xsl:for-each>
      <xsl:for-each select="w:StatisticalValueAmount">
        <StatisticalValue currency="{normalize-space(@currencyID)}"><xsl:value-of select="normalize-space(.)"/></StatisticalValue>
      </xsl:for-each>
      <xsl:for-each select="$measure/w:GrossMassMeasure">
        <GrossMass><xsl:value-of select="normalize-space(.)"/></GrossMass>
      </xsl:for-each>
      <xsl:for-each select="$measure/w:NetNetWeightMeasure">
        <NetMass><xsl:value-of select="normalize-space(.)"/></NetMass>
      </xsl:for-each>
      <xsl:for-each select="$measure/w:TariffQuantity">
        <SupplementaryQuantity>
          <xsl:call-template name="unit-code"/>
          <xsl:value-of select="normalize-space(.)"/>
        </SupplementaryQuantity>
      </xsl:for-each>
      <xsl:for-each select="w:GovernmentProcedure">
        <Procedure>
          <Code><xsl:value-of select="normalize-space(w:CurrentCode)"/></Code>
          <xsl:for-each select="w:PreviousCode">
            <PreviousCode><xsl:value-of select="normalize-space(.)"/></PreviousCode>
          </xsl:for-each>
        </Procedure>
      </xsl:for-each>
      <xsl:for-each select="w:Packaging">
        <Packaging>
          <SequenceNumber><xsl:value-of select="normalize-space(w:SequenceNumeric)"/></SequenceNumber>
          <xsl:for-each select="w:TypeCode">
            <TypeCode><xsl:value-of select="normalize-space(.)"/></TypeCode>
          </xsl:for-each>
          <xsl:for-each select="w:QuantityQuantity">
            <Quantity><xsl:value-of select="normalize-space(.)"/></Quantity>
          </xsl:for-each>
          <xsl:for-each select="w:MarksNumbersID">
            <Marks><xsl:value-of select="normalize-space(.)"/></Marks>
          </xsl:for-each>
        </Packaging>
      </xsl:for-each>
      <xsl:for-each select="w:AdditionalDocument">
        <AdditionalDocument>
          <xsl:for-each select="w:CategoryCode">
            <CategoryCode><xsl:value-of select="normalize-space(.)"/></CategoryCode>
          </xsl:for-each>
          <TypeCode><xsl:value-of select="normalize-space(w:TypeCode)"/></TypeCode>
          <xsl:for-each select="w:ID">
            <Id><xsl:value-of select="normalize-space(.)"/></Id>
          </xsl:for-each>
          <xsl:for-each select="w:Name">
            <Name><xsl:value-of select="normalize-space(.)"/></Name>
          </xsl:for-each>
          <xsl:for-each select="w:LPCOExemptionCode">
            <ExemptionCode><xsl:value-of select="normalize-space(.)"/></ExemptionCode>
          </xsl:for-each>
          <xsl:for-each select="w:WriteOff/w:QuantityQuantity">
            <WriteOffQuantity>
              <xsl:call-template name="unit-code"/>
              <xsl:value-of select="normalize-space(.)"/>
            </WriteOffQuantity>
          </xsl:for-each>
        </AdditionalDocument>
      </xsl:for-each>
      <xsl:apply-templates select="w:AdditionalInformation"/>
      <xsl:apply-templates select="w:PreviousDocument"/>
    </GoodsItem>
  </xsl:template>

  <xsl:template name="unit-code">
    <xsl:if test="@unitCode">
      <xsl:attribute name="unitCode"><xsl:value-of select="normalize-space(@unitCode)"/></xsl:attribute>
    </xsl:if>
  </xsl:template>

  <!-- ============================== shared ============================ -->

  <xsl:template match="w:AdditionalInformation">
    <AdditionalInformation>
      <xsl:for-each select="w:StatementCode">
        <StatementCode><xsl:value-of select="normalize-space(.)"/></StatementCode>
      </xsl:for-each>
      <xsl:for-each select="w:StatementDescription">
        <StatementDescription><xsl:value-of select="normalize-space(.)"/></StatementDescription>
      </xsl:for-each>
    </AdditionalInformation>
  </xsl:template>

  <xsl:template match="w:PreviousDocument">
    <PreviousDocument>
      <xsl:for-each select="w:CategoryCode">
        <CategoryCode><xsl:value-of select="normalize-space(.)"/></CategoryCode>
      </xsl:for-each>
      <TypeCode><xsl:value-of select="normalize-space(w:TypeCode)"/></TypeCode>
      <Id><xsl:value-of select="normalize-space(w:ID)"/></Id>
      <xsl:for-each select="w:LineNumeric">
        <LineNumber><xsl:value-of select="normalize-space(.)"/></LineNumber>
      </xsl:for-each>
    </PreviousDocument>
  </xsl:template>

</xsl:stylesheet>
